// Package resource opens the topics, queues, buckets and tables an App's
// functions declare with core.Uses, through the Go CDK, from the URL the
// manifests put in each resource's environment variable
// (core.Resource.EnvVar: POLYFN_TOPIC_ORDER_PLACED_URL, ...).
//
//	rs := resource.Open(app) // once, where the App is built; closed by its stop hooks
//	...
//	orders, err := rs.Table(ctx, "orders")      // *docstore.Collection
//	placed, err := rs.Topic(ctx, "order-placed") // *resource.Publisher
//	err = placed.Publish(ctx, e)                 // a CloudEvent
//
// A topic or a queue opens as a Publisher of CloudEvents, carried in the
// service's own attributes (binary mode) so that polyfn's triggers on the
// other side see the same event: SNS and SQS message attributes named
// ce-<attribute>, Service Bus application properties cloudEvents:<attribute>,
// Pub/Sub attributes ce-<attribute>, the data as the message body. When
// they do not fit (more than SNS's and SQS's 10 message attributes, no
// data or data that is not text on SNS or SQS, a Pub/Sub attribute value
// over 1,024 bytes) the event goes in structured mode instead: the body is the
// CloudEvents JSON format and the content type application/cloudevents+json.
// A bucket opens as a *blob.Bucket, a table as a *docstore.Collection
// keyed by the declared key field (core.Resource.Key).
//
// Opening a resource the App does not declare fails, wrapping
// core.ErrNoResource. Each adapter's build links only its cloud's drivers
// (build tags polyfn.aws, polyfn.azure, polyfn.gcp and polyfn.gcpsource);
// there, a resource whose environment variable is unset fails to open,
// naming the variable (ErrNoURL). The local build (no tag: the local
// adapter, tests) links the in-memory and file drivers only, and a
// resource whose variable is unset is in memory: a bucket in memblob, a
// table in memdocstore, shared by the App's functions, and a topic or a
// queue delivered in process, by the local adapter, to the App's OnTopic
// and OnQueue functions. Every build links the in-memory drivers, and
// POLYFN_RESOURCES=memory (EnvMemory) makes a cloud adapter's build treat
// unset URLs as the local build does, for running it on a laptop (polyfn
// invoke). A program that does not import this package links none of the
// Go CDK.
//
// Secrets are no resource: declare them as the App's settings with
// core.Secret(); the manifests hand them over through each platform's own
// mechanism (Secrets Manager, Key Vault and Secret Manager references).
package resource
