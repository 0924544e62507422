#!/bin/sh
# Deploys each function of the app to Cloud Functions (2nd gen). It can run
# again: it creates what is missing and updates what exists.
# Build the source bundle first: polyfn build --provider gcp PKG
set -eu
: "${REGION:=us-central1}"
# Event triggers deliver as this service account; it gets roles/run.invoker
# on each event function.
[ -n "${TRIGGER_SERVICE_ACCOUNT:-}" ] || { echo 'set TRIGGER_SERVICE_ACCOUNT to the email of the service account event triggers deliver as (NAME@PROJECT.iam.gserviceaccount.com)' >&2; exit 1; }

# Settings: plain values come from this shell's environment (or their
# defaults), secrets from the Secret Manager secret of the same name.
# ^||^ lets a value hold commas (gcloud topic escaping).
# SHOP_API_KEY: the key API callers send (secret)
gcloud secrets describe SHOP_API_KEY >/dev/null 2>&1 || { echo 'the Secret Manager secret SHOP_API_KEY (SHOP_API_KEY: the key API callers send) does not exist; create it: printf %s VALUE | gcloud secrets create SHOP_API_KEY --data-file=-' >&2; exit 1; }
# SHOP_LOG_LEVEL: log level (default info)
[ -n "${SHOP_LOG_LEVEL:-}" ] || SHOP_LOG_LEVEL=info
# SHOP_REGION (required)
[ -n "${SHOP_REGION:-}" ] || { echo 'set SHOP_REGION (required) before running this script' >&2; exit 1; }
# SHOP_GREETING (default 'it'\''s, here')
[ -n "${SHOP_GREETING:-}" ] || SHOP_GREETING='it'\''s, here'

# polyfn_service FUNCTION: the Cloud Run service that runs the function,
# or nothing before its first deploy.
polyfn_service() {
  polyfn_s=$(gcloud functions describe "$1" --region="$REGION" --format='value(serviceConfig.service)' 2>/dev/null) || polyfn_s=
  echo "${polyfn_s##*/}"
}
# polyfn_revision SERVICE: the service's latest ready revision.
polyfn_revision() {
  gcloud run services describe "$1" --region="$REGION" --format='value(status.latestReadyRevisionName)'
}

# api: http GET,POST /api/
# canary 10% for 5m0s through Cloud Run traffic splitting.
polyfn_svc=$(polyfn_service api); polyfn_prev=
if [ -n "$polyfn_svc" ]; then
  polyfn_prev=$(polyfn_revision "$polyfn_svc")
  gcloud run services update-traffic "$polyfn_svc" --region="$REGION" --to-revisions="$polyfn_prev=100"
fi
gcloud functions deploy api --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=api --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --timeout=1800s --memory=256Mi --min-instances=1 --max-instances=50 --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-http --allow-unauthenticated
polyfn_svc=$(polyfn_service api); polyfn_new=$(polyfn_revision "$polyfn_svc")
if [ -n "$polyfn_prev" ] && [ "$polyfn_new" != "$polyfn_prev" ]; then
  echo "api: rolling out $polyfn_new (canary 10% for 5m0s); roll back with: gcloud run services update-traffic $polyfn_svc --region=$REGION --to-revisions=$polyfn_prev=100" >&2
  for polyfn_p in 10; do
    gcloud run services update-traffic "$polyfn_svc" --region="$REGION" --to-revisions="$polyfn_new=$polyfn_p,$polyfn_prev=$((100 - polyfn_p))"
    sleep 300
  done
fi
gcloud run services update-traffic "$polyfn_svc" --region="$REGION" --to-latest

# item: http /items/{id}
# The declared architecture arm64 does not apply: Cloud Functions runs x86-64.
# linear 25% every 1m30s through Cloud Run traffic splitting.
polyfn_svc=$(polyfn_service item); polyfn_prev=
if [ -n "$polyfn_svc" ]; then
  polyfn_prev=$(polyfn_revision "$polyfn_svc")
  gcloud run services update-traffic "$polyfn_svc" --region="$REGION" --to-revisions="$polyfn_prev=100"
fi
gcloud functions deploy item --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=item --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-http --no-allow-unauthenticated
polyfn_svc=$(polyfn_service item); polyfn_new=$(polyfn_revision "$polyfn_svc")
if [ -n "$polyfn_prev" ] && [ "$polyfn_new" != "$polyfn_prev" ]; then
  echo "item: rolling out $polyfn_new (linear 25% every 1m30s); roll back with: gcloud run services update-traffic $polyfn_svc --region=$REGION --to-revisions=$polyfn_prev=100" >&2
  for polyfn_p in 25 50 75; do
    gcloud run services update-traffic "$polyfn_svc" --region="$REGION" --to-revisions="$polyfn_new=$polyfn_p,$polyfn_prev=$((100 - polyfn_p))"
    sleep 90
  done
fi
gcloud run services update-traffic "$polyfn_svc" --region="$REGION" --to-latest

# fulfil: queue orders
gcloud pubsub topics describe orders >/dev/null 2>&1 || gcloud pubsub topics create orders
gcloud functions deploy fulfil --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=fulfil --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --timeout=120s --serve-all-traffic-latest-revision --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-topic=orders --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding fulfil --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null

# notify: topic order-placed
gcloud pubsub topics describe order-placed >/dev/null 2>&1 || gcloud pubsub topics create order-placed
gcloud functions deploy notify --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=notify --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-topic=order-placed --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding notify --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null

# inventory: stream inventory-changes
gcloud pubsub topics describe inventory-changes >/dev/null 2>&1 || gcloud pubsub topics create inventory-changes
gcloud functions deploy inventory --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=inventory --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-topic=inventory-changes --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding inventory --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null

# nightly-report: schedule "0 2 * * 1-5" in Europe/Paris
gcloud pubsub topics describe nightly-report-schedule >/dev/null 2>&1 || gcloud pubsub topics create nightly-report-schedule
gcloud functions deploy nightly-report --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=nightly-report --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-topic=nightly-report-schedule --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding nightly-report --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null
if gcloud scheduler jobs describe nightly-report --location="$REGION" >/dev/null 2>&1; then
  gcloud scheduler jobs update pubsub nightly-report --location="$REGION" --schedule="0 2 * * 1-5" --time-zone="Europe/Paris" --topic=nightly-report-schedule --message-body='{}' --update-attributes=polyfnkind=schedule.fired,polyfnschedule=nightly-report
else
  gcloud scheduler jobs create pubsub nightly-report --location="$REGION" --schedule="0 2 * * 1-5" --time-zone="Europe/Paris" --topic=nightly-report-schedule --message-body='{}' --attributes=polyfnkind=schedule.fired,polyfnschedule=nightly-report
fi

# hourly: schedule "@hourly"
gcloud pubsub topics describe hourly-schedule >/dev/null 2>&1 || gcloud pubsub topics create hourly-schedule
gcloud functions deploy hourly --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=hourly --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-topic=hourly-schedule --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding hourly --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null
if gcloud scheduler jobs describe hourly --location="$REGION" >/dev/null 2>&1; then
  gcloud scheduler jobs update pubsub hourly --location="$REGION" --schedule="0 * * * *" --time-zone="Etc/UTC" --topic=hourly-schedule --message-body='{}' --update-attributes=polyfnkind=schedule.fired,polyfnschedule=hourly
else
  gcloud scheduler jobs create pubsub hourly --location="$REGION" --schedule="0 * * * *" --time-zone="Etc/UTC" --topic=hourly-schedule --message-body='{}' --attributes=polyfnkind=schedule.fired,polyfnschedule=hourly
fi

# uploads: storage polyfn-uploads
gcloud functions deploy uploads --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=uploads --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-event-filters=type=google.cloud.storage.object.v1.finalized --trigger-event-filters=bucket=polyfn-uploads --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding uploads --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null

# removed: storage polyfn-uploads
gcloud functions deploy removed --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=removed --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-event-filters=type=google.cloud.storage.object.v1.deleted --trigger-event-filters=bucket=polyfn-uploads --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding removed --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null

# audit: event google.cloud.audit.log.v1.written
gcloud functions deploy audit --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=audit --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-event-filters=type=google.cloud.audit.log.v1.written --trigger-event-filters=methodName=storage.buckets.create --trigger-event-filters=serviceName=storage.googleapis.com --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding audit --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null

# spaced: topic it's here
gcloud pubsub topics describe 'it'\''s here' >/dev/null 2>&1 || gcloud pubsub topics create 'it'\''s here'
gcloud functions deploy spaced --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=spaced --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-topic='it'\''s here' --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding spaced --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null
