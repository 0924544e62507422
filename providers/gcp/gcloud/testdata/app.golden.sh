#!/bin/sh
# Deploys each function of the app to Cloud Functions (2nd gen). It can run
# again: it creates what is missing and updates what exists.
# Build the source bundle first: polyfn build --provider gcp PKG
set -eu
: "${REGION:=us-central1}"
: "${GOOGLE_CLOUD_PROJECT:=$(gcloud config get-value project 2>/dev/null)}"
[ -n "$GOOGLE_CLOUD_PROJECT" ] || { echo 'set GOOGLE_CLOUD_PROJECT to the project to deploy to, or run gcloud config set project PROJECT' >&2; exit 1; }
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
gcloud iam service-accounts describe "polyfn-api@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-api --display-name='polyfn function api'
gcloud secrets add-iam-policy-binding SHOP_API_KEY --member="serviceAccount:polyfn-api@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/secretmanager.secretAccessor >/dev/null
# canary 10% for 5m0s through Cloud Run traffic splitting.
polyfn_svc=$(polyfn_service api); polyfn_prev=
if [ -n "$polyfn_svc" ]; then
  polyfn_prev=$(polyfn_revision "$polyfn_svc")
  gcloud run services update-traffic "$polyfn_svc" --region="$REGION" --to-revisions="$polyfn_prev=100"
fi
gcloud functions deploy api --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=api --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --timeout=1800s --memory=256Mi --min-instances=1 --max-instances=50 --service-account="polyfn-api@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-http --allow-unauthenticated
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
gcloud iam service-accounts describe "polyfn-item@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-item --display-name='polyfn function item'
gcloud secrets add-iam-policy-binding SHOP_API_KEY --member="serviceAccount:polyfn-item@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/secretmanager.secretAccessor >/dev/null
# linear 25% every 1m30s through Cloud Run traffic splitting.
polyfn_svc=$(polyfn_service item); polyfn_prev=
if [ -n "$polyfn_svc" ]; then
  polyfn_prev=$(polyfn_revision "$polyfn_svc")
  gcloud run services update-traffic "$polyfn_svc" --region="$REGION" --to-revisions="$polyfn_prev=100"
fi
gcloud functions deploy item --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=item --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --service-account="polyfn-item@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-http --no-allow-unauthenticated
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
gcloud iam service-accounts describe "polyfn-fulfil@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-fulfil --display-name='polyfn function fulfil'
gcloud secrets add-iam-policy-binding SHOP_API_KEY --member="serviceAccount:polyfn-fulfil@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/secretmanager.secretAccessor >/dev/null
gcloud pubsub topics describe orders >/dev/null 2>&1 || gcloud pubsub topics create orders
gcloud functions deploy fulfil --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=fulfil --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --timeout=120s --serve-all-traffic-latest-revision --service-account="polyfn-fulfil@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-topic=orders --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding fulfil --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null

# notify: topic order-placed
gcloud iam service-accounts describe "polyfn-notify@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-notify --display-name='polyfn function notify'
gcloud secrets add-iam-policy-binding SHOP_API_KEY --member="serviceAccount:polyfn-notify@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/secretmanager.secretAccessor >/dev/null
gcloud pubsub topics describe order-placed >/dev/null 2>&1 || gcloud pubsub topics create order-placed
gcloud functions deploy notify --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=notify --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --service-account="polyfn-notify@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-topic=order-placed --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding notify --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null

# inventory: stream inventory-changes
gcloud iam service-accounts describe "polyfn-inventory@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-inventory --display-name='polyfn function inventory'
gcloud secrets add-iam-policy-binding SHOP_API_KEY --member="serviceAccount:polyfn-inventory@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/secretmanager.secretAccessor >/dev/null
gcloud pubsub topics describe inventory-changes >/dev/null 2>&1 || gcloud pubsub topics create inventory-changes
gcloud functions deploy inventory --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=inventory --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --service-account="polyfn-inventory@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-topic=inventory-changes --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding inventory --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null

# nightly-report: schedule "0 2 * * 1-5" in Europe/Paris
gcloud iam service-accounts describe "polyfn-nightly-report@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-nightly-report --display-name='polyfn function nightly-report'
gcloud secrets add-iam-policy-binding SHOP_API_KEY --member="serviceAccount:polyfn-nightly-report@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/secretmanager.secretAccessor >/dev/null
gcloud pubsub topics describe nightly-report-schedule >/dev/null 2>&1 || gcloud pubsub topics create nightly-report-schedule
gcloud functions deploy nightly-report --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=nightly-report --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --service-account="polyfn-nightly-report@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-topic=nightly-report-schedule --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding nightly-report --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null
if gcloud scheduler jobs describe nightly-report --location="$REGION" >/dev/null 2>&1; then
  gcloud scheduler jobs update pubsub nightly-report --location="$REGION" --schedule="0 2 * * 1-5" --time-zone="Europe/Paris" --topic=nightly-report-schedule --message-body='{}' --update-attributes=polyfnkind=schedule.fired,polyfnschedule=nightly-report
else
  gcloud scheduler jobs create pubsub nightly-report --location="$REGION" --schedule="0 2 * * 1-5" --time-zone="Europe/Paris" --topic=nightly-report-schedule --message-body='{}' --attributes=polyfnkind=schedule.fired,polyfnschedule=nightly-report
fi

# hourly: schedule "@hourly"
gcloud iam service-accounts describe "polyfn-hourly@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-hourly --display-name='polyfn function hourly'
gcloud secrets add-iam-policy-binding SHOP_API_KEY --member="serviceAccount:polyfn-hourly@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/secretmanager.secretAccessor >/dev/null
gcloud pubsub topics describe hourly-schedule >/dev/null 2>&1 || gcloud pubsub topics create hourly-schedule
gcloud functions deploy hourly --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=hourly --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --service-account="polyfn-hourly@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-topic=hourly-schedule --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding hourly --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null
if gcloud scheduler jobs describe hourly --location="$REGION" >/dev/null 2>&1; then
  gcloud scheduler jobs update pubsub hourly --location="$REGION" --schedule="0 * * * *" --time-zone="Etc/UTC" --topic=hourly-schedule --message-body='{}' --update-attributes=polyfnkind=schedule.fired,polyfnschedule=hourly
else
  gcloud scheduler jobs create pubsub hourly --location="$REGION" --schedule="0 * * * *" --time-zone="Etc/UTC" --topic=hourly-schedule --message-body='{}' --attributes=polyfnkind=schedule.fired,polyfnschedule=hourly
fi

# uploads: storage polyfn-uploads
gcloud iam service-accounts describe "polyfn-uploads@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-uploads --display-name='polyfn function uploads'
gcloud secrets add-iam-policy-binding SHOP_API_KEY --member="serviceAccount:polyfn-uploads@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/secretmanager.secretAccessor >/dev/null
gcloud functions deploy uploads --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=uploads --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --service-account="polyfn-uploads@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-event-filters=type=google.cloud.storage.object.v1.finalized --trigger-event-filters=bucket=polyfn-uploads --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding uploads --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null

# removed: storage polyfn-uploads
gcloud iam service-accounts describe "polyfn-removed@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-removed --display-name='polyfn function removed'
gcloud secrets add-iam-policy-binding SHOP_API_KEY --member="serviceAccount:polyfn-removed@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/secretmanager.secretAccessor >/dev/null
gcloud functions deploy removed --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=removed --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --service-account="polyfn-removed@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-event-filters=type=google.cloud.storage.object.v1.deleted --trigger-event-filters=bucket=polyfn-uploads --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding removed --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null

# audit: event google.cloud.audit.log.v1.written
gcloud iam service-accounts describe "polyfn-audit@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-audit --display-name='polyfn function audit'
gcloud secrets add-iam-policy-binding SHOP_API_KEY --member="serviceAccount:polyfn-audit@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/secretmanager.secretAccessor >/dev/null
gcloud functions deploy audit --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=audit --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --service-account="polyfn-audit@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-event-filters=type=google.cloud.audit.log.v1.written --trigger-event-filters=methodName=storage.buckets.create --trigger-event-filters=serviceName=storage.googleapis.com --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding audit --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null

# spaced: topic it's here
gcloud iam service-accounts describe "polyfn-spaced@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-spaced --display-name='polyfn function spaced'
gcloud secrets add-iam-policy-binding SHOP_API_KEY --member="serviceAccount:polyfn-spaced@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/secretmanager.secretAccessor >/dev/null
gcloud pubsub topics describe 'it'\''s here' >/dev/null 2>&1 || gcloud pubsub topics create 'it'\''s here'
gcloud functions deploy spaced --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=spaced --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --service-account="polyfn-spaced@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --set-secrets=SHOP_API_KEY=SHOP_API_KEY:latest --set-env-vars="^||^SHOP_LOG_LEVEL=$SHOP_LOG_LEVEL" --set-env-vars="^||^SHOP_REGION=$SHOP_REGION" --set-env-vars="^||^SHOP_GREETING=$SHOP_GREETING" --trigger-topic='it'\''s here' --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding spaced --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null
