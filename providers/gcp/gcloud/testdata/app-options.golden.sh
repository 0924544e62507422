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

# fulfil: queue orders
gcloud iam service-accounts describe "polyfn-fulfil@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-fulfil --display-name='polyfn function fulfil'
gcloud pubsub topics describe orders >/dev/null 2>&1 || gcloud pubsub topics create orders
gcloud functions deploy fulfil --gen2 --runtime=go125 --region="$REGION" --source='build/my source' --entry-point=fulfil --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --service-account="polyfn-fulfil@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --trigger-topic=orders --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding fulfil --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null
