// Package coldstart holds two equivalent Lambda functions, one hand-written
// on aws-lambda-go (native/) and one on polyfn (polyfn/), that the
// adapter's cold-start and binary-size comparison builds and runs under the
// emulator (adapters/aws/coldstart_test.go). Each decodes every SQS message
// body as an order and reports the messages that are not orders.
//
// nativeshop/ is the like-for-like baseline of examples/shop: the shop's
// functions written by hand for Lambda alone, with the AWS SDK clients,
// OpenTelemetry and the JWT library a native function doing the same work
// links.
package coldstart
