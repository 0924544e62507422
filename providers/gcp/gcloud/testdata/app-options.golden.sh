#!/bin/sh
# Deploys each function of the app to Cloud Functions (2nd gen).
# Build the source bundle first: polyfn build --provider gcp PKG
set -eu
: "${REGION:=us-central1}"

gcloud functions deploy api --gen2 --runtime=go125 --region="$REGION" --source='build/my source' --entry-point=api --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --trigger-http
gcloud pubsub topics describe orders >/dev/null 2>&1 || gcloud pubsub topics create orders
gcloud functions deploy fulfil --gen2 --runtime=go125 --region="$REGION" --source='build/my source' --entry-point=fulfil --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --trigger-topic=orders
gcloud pubsub topics describe order-placed >/dev/null 2>&1 || gcloud pubsub topics create order-placed
gcloud functions deploy notify --gen2 --runtime=go125 --region="$REGION" --source='build/my source' --entry-point=notify --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --trigger-topic=order-placed
gcloud pubsub topics describe inventory-changes >/dev/null 2>&1 || gcloud pubsub topics create inventory-changes
gcloud functions deploy inventory --gen2 --runtime=go125 --region="$REGION" --source='build/my source' --entry-point=inventory --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --trigger-topic=inventory-changes
gcloud pubsub topics describe nightly-report-schedule >/dev/null 2>&1 || gcloud pubsub topics create nightly-report-schedule
gcloud functions deploy nightly-report --gen2 --runtime=go125 --region="$REGION" --source='build/my source' --entry-point=nightly-report --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --trigger-topic=nightly-report-schedule
gcloud scheduler jobs create pubsub nightly-report --location="$REGION" --schedule="0 2 * * 1-5" --time-zone="Europe/Paris" --topic=nightly-report-schedule --message-body='{}'
gcloud pubsub topics describe hourly-schedule >/dev/null 2>&1 || gcloud pubsub topics create hourly-schedule
gcloud functions deploy hourly --gen2 --runtime=go125 --region="$REGION" --source='build/my source' --entry-point=hourly --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --trigger-topic=hourly-schedule
gcloud scheduler jobs create pubsub hourly --location="$REGION" --schedule="0 * * * *" --time-zone="Etc/UTC" --topic=hourly-schedule --message-body='{}'
gcloud functions deploy uploads --gen2 --runtime=go125 --region="$REGION" --source='build/my source' --entry-point=uploads --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --trigger-event-filters=type=google.cloud.storage.object.v1.finalized --trigger-event-filters=bucket=polyfn-uploads
gcloud functions deploy removed --gen2 --runtime=go125 --region="$REGION" --source='build/my source' --entry-point=removed --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --trigger-event-filters=type=google.cloud.storage.object.v1.deleted --trigger-event-filters=bucket=polyfn-uploads
gcloud functions deploy audit --gen2 --runtime=go125 --region="$REGION" --source='build/my source' --entry-point=audit --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --trigger-event-filters=type=google.cloud.audit.log.v1.written --trigger-event-filters=methodName=storage.buckets.create --trigger-event-filters=serviceName=storage.googleapis.com
gcloud pubsub topics describe 'it'\''s here' >/dev/null 2>&1 || gcloud pubsub topics create 'it'\''s here'
gcloud functions deploy spaced --gen2 --runtime=go125 --region="$REGION" --source='build/my source' --entry-point=spaced --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --trigger-topic='it'\''s here'
