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

# Resources the functions use.
gcloud pubsub topics describe orders >/dev/null 2>&1 || gcloud pubsub topics create orders
gcloud firestore databases describe --database='(default)' >/dev/null 2>&1 || gcloud firestore databases create --location="$REGION"
gcloud pubsub topics describe order-placed >/dev/null 2>&1 || gcloud pubsub topics create order-placed
gcloud firestore fields ttls update expiration --collection-group=idempotency --enable-ttl --async >/dev/null
gcloud storage buckets describe gs://shop-reports >/dev/null 2>&1 || gcloud storage buckets create gs://shop-reports --location="$REGION" --uniform-bucket-level-access --public-access-prevention
gcloud storage buckets describe gs://shop-uploads >/dev/null 2>&1 || gcloud storage buckets create gs://shop-uploads --location="$REGION" --uniform-bucket-level-access --public-access-prevention

# api: http /api/
gcloud iam service-accounts describe "polyfn-api@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-api --display-name='polyfn function api'
gcloud pubsub topics add-iam-policy-binding orders --member="serviceAccount:polyfn-api@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/pubsub.publisher >/dev/null
gcloud projects add-iam-policy-binding "$GOOGLE_CLOUD_PROJECT" --member="serviceAccount:polyfn-api@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/datastore.viewer --condition=None >/dev/null
gcloud functions deploy api --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=api --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --service-account="polyfn-api@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --set-env-vars="^||^POLYFN_QUEUE_ORDERS_URL=gcppubsub://projects/$GOOGLE_CLOUD_PROJECT/topics/orders" --set-env-vars="^||^POLYFN_TABLE_ORDERS_URL=firestore://projects/$GOOGLE_CLOUD_PROJECT/databases/(default)/documents/orders?name_field=id" --trigger-http --no-allow-unauthenticated

# fulfil: queue orders
gcloud iam service-accounts describe "polyfn-fulfil@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-fulfil --display-name='polyfn function fulfil'
gcloud pubsub topics add-iam-policy-binding order-placed --member="serviceAccount:polyfn-fulfil@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/pubsub.publisher >/dev/null
gcloud projects add-iam-policy-binding "$GOOGLE_CLOUD_PROJECT" --member="serviceAccount:polyfn-fulfil@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/datastore.user --condition=None >/dev/null
gcloud functions deploy fulfil --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=fulfil --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --service-account="polyfn-fulfil@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --set-env-vars="^||^POLYFN_TOPIC_ORDER_PLACED_URL=gcppubsub://projects/$GOOGLE_CLOUD_PROJECT/topics/order-placed" --set-env-vars="^||^POLYFN_TABLE_ORDERS_URL=firestore://projects/$GOOGLE_CLOUD_PROJECT/databases/(default)/documents/orders?name_field=id" --set-env-vars="^||^POLYFN_TABLE_IDEMPOTENCY_URL=firestore://projects/$GOOGLE_CLOUD_PROJECT/databases/(default)/documents/idempotency?name_field=id" --trigger-topic=orders --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding fulfil --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null

# notify-customer: topic order-placed
gcloud iam service-accounts describe "polyfn-notify-customer@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-notify-customer --display-name='polyfn function notify-customer'
gcloud functions deploy notify-customer --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=notify-customer --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --service-account="polyfn-notify-customer@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --trigger-topic=order-placed --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding notify-customer --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null

# nightly-report: schedule "0 2 * * *"
gcloud iam service-accounts describe "polyfn-nightly-report@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-nightly-report --display-name='polyfn function nightly-report'
gcloud storage buckets add-iam-policy-binding gs://shop-reports --member="serviceAccount:polyfn-nightly-report@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/storage.objectUser >/dev/null
gcloud pubsub topics describe nightly-report-schedule >/dev/null 2>&1 || gcloud pubsub topics create nightly-report-schedule
gcloud functions deploy nightly-report --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=nightly-report --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --service-account="polyfn-nightly-report@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --set-env-vars="^||^POLYFN_BUCKET_SHOP_REPORTS_URL=gs://shop-reports" --trigger-topic=nightly-report-schedule --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding nightly-report --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null
if gcloud scheduler jobs describe nightly-report --location="$REGION" >/dev/null 2>&1; then
  gcloud scheduler jobs update pubsub nightly-report --location="$REGION" --schedule="0 2 * * *" --time-zone="Etc/UTC" --topic=nightly-report-schedule --message-body='{}' --update-attributes=polyfnkind=schedule.fired,polyfnschedule=nightly-report
else
  gcloud scheduler jobs create pubsub nightly-report --location="$REGION" --schedule="0 2 * * *" --time-zone="Etc/UTC" --topic=nightly-report-schedule --message-body='{}' --attributes=polyfnkind=schedule.fired,polyfnschedule=nightly-report
fi

# uploads: storage shop-uploads
gcloud iam service-accounts describe "polyfn-uploads@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-uploads --display-name='polyfn function uploads'
gcloud storage buckets add-iam-policy-binding gs://shop-uploads --member="serviceAccount:polyfn-uploads@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/storage.objectViewer >/dev/null
gcloud functions deploy uploads --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=uploads --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --service-account="polyfn-uploads@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --set-env-vars="^||^POLYFN_BUCKET_SHOP_UPLOADS_URL=gs://shop-uploads" --trigger-event-filters=type=google.cloud.storage.object.v1.finalized --trigger-event-filters=bucket=shop-uploads --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding uploads --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null

# a_function_with_a_rather_long_name: queue archive
gcloud iam service-accounts describe "polyfn-a-function-wit-514f92ca@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" >/dev/null 2>&1 || gcloud iam service-accounts create polyfn-a-function-wit-514f92ca --display-name='polyfn function a_function_with_a_rather_long_name'
gcloud projects add-iam-policy-binding "$GOOGLE_CLOUD_PROJECT" --member="serviceAccount:polyfn-a-function-wit-514f92ca@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --role=roles/datastore.user --condition=None >/dev/null
gcloud pubsub topics describe archive >/dev/null 2>&1 || gcloud pubsub topics create archive
gcloud functions deploy a_function_with_a_rather_long_name --gen2 --runtime=go123 --region="$REGION" --source=dist/gcp/source --entry-point=a_function_with_a_rather_long_name --set-build-env-vars=GOFLAGS=-tags=polyfn.gcpsource --serve-all-traffic-latest-revision --service-account="polyfn-a-function-wit-514f92ca@$GOOGLE_CLOUD_PROJECT.iam.gserviceaccount.com" --set-env-vars="^||^POLYFN_TABLE_SESSIONS_URL=firestore://projects/$GOOGLE_CLOUD_PROJECT/databases/(default)/documents/sessions?name_field=sid" --trigger-topic=archive --retry --trigger-service-account="$TRIGGER_SERVICE_ACCOUNT"
gcloud functions add-invoker-policy-binding a_function_with_a_rather_long_name --region="$REGION" --member="serviceAccount:$TRIGGER_SERVICE_ACCOUNT" >/dev/null
