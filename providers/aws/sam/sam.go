// Package sam generates AWS SAM templates from a polyfn App: the
// deployment manifest polyfn manifest --provider aws writes. It is a
// build-time package, apart from providers/aws so that Lambda binaries do
// not link it.
package sam

import (
	"fmt"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/yamlout"
	"github.com/polyfn/polyfn/providers/aws"
)

// Options configures Template.
type Options struct {
	// CodeURI is the deployment package, relative to the template: the zip
	// polyfn build writes. The default is "function.zip".
	CodeURI string
	// Architecture is "arm64" (the default) or "x86_64".
	Architecture string
	// MemorySize in MB for functions that declare none (core.WithMemory);
	// 0 means 128.
	MemorySize int
	// MaxReceiveCount is how many times a queue the template creates
	// delivers a message before its redrive policy moves it to the
	// queue's dead-letter queue, and how many times a stream's failed
	// batch is retried; 0 means 5.
	MaxReceiveCount int
}

// Template returns an AWS SAM template for app: one
// AWS::Serverless::Function per function of the App, all running the same
// bootstrap on provided.al2023 and picking their function with
// POLYFN_FUNCTION; an event per trigger; FunctionResponseTypes
// [ReportBatchItemFailures] on every batch source; a least-privilege policy
// per trigger. Queues, topics, streams and buckets named without an
// aws/arn setting are created by the template; a queue with a dead-letter
// queue, a redrive policy and a visibility timeout six times the longest
// timeout of its functions. A function an asynchronous source invokes
// (topic, storage, schedule, event) gets a dead-letter queue for the events
// that failed Lambda's retries; a stream's event source retries a failed
// batch MaxReceiveCount times, then describes it in that queue.
//
// Every resource the functions use (core.Uses) is created once, shared
// with a trigger of the same name (see declare), and each function's
// policies grant exactly the rights it declares on exactly those
// resources, with each one's Go CDK URL in its environment variable
// (core.Resource.EnvVar).
//
// Each declared setting (core.App.Setting) is a template parameter that
// every function reads as an environment variable: a String parameter for
// a plain value, with its default; for a secret, a NoEcho parameter naming
// a Secrets Manager secret, resolved with a dynamic reference
// ({{resolve:secretsmanager:...}}). The template holds no value.
//
// Each function's knobs (core.Deployment) map to MemorySize,
// ReservedConcurrentExecutions (most instances) and
// ProvisionedConcurrencyConfig (fewest); a canary or linear rollout to
// AutoPublishAlias (Alias) and a DeploymentPreference with a CloudWatch
// alarm on the alias's errors. One binary serves every function, so a
// declared architecture must be Options.Architecture.
//
// Who may invoke each HTTP function follows the App's declaration: the
// HTTP API requires IAM authorization on every route by default (Globals
// HttpApi Auth: EnableIamAuthorizer, DefaultAuthorizer AWS_IAM: callers
// sign with SigV4 as principals allowed execute-api:Invoke), and the routes of
// a core.Public function opt out with Auth: Authorizer: NONE, leaving
// authentication to the App. The template declares no function URLs.
//
// It returns an error that names the function and trigger, setting or
// knob that AWS cannot express.
func Template(app *core.App, opts Options) ([]byte, error) {
	if opts.CodeURI == "" {
		opts.CodeURI = "function.zip"
	}
	if opts.Architecture == "" {
		opts.Architecture = "arm64"
	}
	if opts.Architecture == "amd64" {
		opts.Architecture = "x86_64"
	}
	if opts.MemorySize == 0 {
		opts.MemorySize = 128
	}
	if opts.MaxReceiveCount == 0 {
		opts.MaxReceiveCount = 5
	}
	g := &samGen{opts: opts, ids: map[string]string{}}
	if err := g.planQueues(app); err != nil {
		return nil, fmt.Errorf("sam: %w", err)
	}
	params, env, err := g.settings(app.Settings())
	if err != nil {
		return nil, fmt.Errorf("sam: %w", err)
	}
	if err := g.declare(app); err != nil {
		return nil, fmt.Errorf("sam: %w", err)
	}
	for _, f := range app.Functions() {
		if _, err := aws.SourceOf(f); err != nil {
			return nil, fmt.Errorf("sam: %w", err)
		}
		if _, err := aws.HTTPOptionsOf(f); err != nil {
			return nil, fmt.Errorf("sam: %w", err)
		}
		if err := g.function(f); err != nil {
			return nil, fmt.Errorf("sam: function %q: %w", f.Name, err)
		}
	}
	globals := yamlout.Map{
		{Key: "Runtime", Value: "provided.al2023"},
		{Key: "Handler", Value: "bootstrap"},
		{Key: "Architectures", Value: []string{opts.Architecture}},
		{Key: "CodeUri", Value: opts.CodeURI},
		{Key: "MemorySize", Value: opts.MemorySize},
		{Key: "Timeout", Value: defaultTimeout},
	}
	if len(env) > 0 {
		// SAM merges these variables with each function's own.
		globals = append(globals, yamlout.KV{Key: "Environment", Value: yamlout.Map{{Key: "Variables", Value: env}}})
	}
	doc := yamlout.Map{
		{Key: "AWSTemplateFormatVersion", Value: "2010-09-09"},
		{Key: "Transform", Value: "AWS::Serverless-2016-10-31"},
		{Key: "Description", Value: "polyfn app: " + strings.Join(app.Names(), ", ")},
	}
	if len(params) > 0 {
		doc = append(doc, yamlout.KV{Key: "Parameters", Value: params})
	}
	allGlobals := yamlout.Map{{Key: "Function", Value: globals}}
	if g.httpAPI {
		// Every route needs SigV4 unless its function is core.Public.
		allGlobals = append(allGlobals, yamlout.KV{Key: "HttpApi", Value: yamlout.Map{{Key: "Auth", Value: yamlout.Map{
			{Key: "EnableIamAuthorizer", Value: true}, {Key: "DefaultAuthorizer", Value: "AWS_IAM"},
		}}}})
	}
	doc = append(doc,
		yamlout.KV{Key: "Globals", Value: allGlobals},
		yamlout.KV{Key: "Resources", Value: g.resources})
	if len(g.outputs) > 0 {
		doc = append(doc, yamlout.KV{Key: "Outputs", Value: g.outputs})
	}
	return yamlout.Marshal(doc)
}

type samGen struct {
	opts         Options
	resources    yamlout.Map
	outputs      yamlout.Map
	ids          map[string]string // logical id → what it names (claim)
	queueTimeout map[string]int    // queue the template creates → its functions' longest timeout, in seconds
	httpAPI      bool              // a function has a route on the HTTP API
	refs         map[string]samRef // used resource (EnvVar) → how the template refers to it
}

func (g *samGen) function(f *core.Function) error {
	id := logicalID(f.Name) + "Function"
	if _, err := g.claim(id, "function "+f.Name); err != nil {
		return err
	}
	failures, async, err := g.failureQueue(f, id)
	if err != nil {
		return err
	}
	var events yamlout.Map
	var policies []any
	hasHTTPAPI := false
	for i, t := range f.Triggers {
		name := fmt.Sprintf("%s%d", logicalID(string(t.Kind)), i+1)
		ev, pol, err := g.event(t, failures, f.Deploy.Public)
		if err != nil {
			return fmt.Errorf("trigger %s: %w", t, err)
		}
		for j, e := range ev {
			n := name
			if len(ev) > 1 {
				n = fmt.Sprintf("%s%c", name, 'a'+j)
			}
			events = append(events, yamlout.KV{Key: n, Value: e})
			if t.Kind == core.TriggerHTTP {
				hasHTTPAPI = true
			}
		}
		policies = append(policies, pol...)
	}
	usePols, useEnv := g.uses(f)
	policies = distinct(append(policies, usePols...))
	props := yamlout.Map{
		{Key: "Environment", Value: yamlout.Map{{Key: "Variables", Value: append(yamlout.Map{{Key: "POLYFN_FUNCTION", Value: f.Name}}, useEnv...)}}},
	}
	if f.Timeout > 0 {
		secs, err := timeoutSeconds(f)
		if err != nil {
			return err
		}
		props = append(props, yamlout.KV{Key: "Timeout", Value: secs})
	}
	knobs, err := g.knobs(f, id)
	if err != nil {
		return err
	}
	props = append(props, knobs...)
	if async {
		props = append(props, yamlout.KV{Key: "DeadLetterQueue", Value: yamlout.Map{{Key: "Type", Value: "SQS"}, {Key: "TargetArn", Value: failures}}})
	}
	if len(policies) > 0 {
		props = append(props, yamlout.KV{Key: "Policies", Value: policies})
	}
	if len(events) > 0 {
		props = append(props, yamlout.KV{Key: "Events", Value: events})
	}
	g.resources = append(g.resources, yamlout.KV{Key: id, Value: yamlout.Map{
		{Key: "Type", Value: "AWS::Serverless::Function"},
		{Key: "Properties", Value: props},
	}})
	g.httpAPI = g.httpAPI || hasHTTPAPI
	if hasHTTPAPI && len(g.outputs) == 0 {
		g.outputs = append(g.outputs, yamlout.KV{Key: "HttpApiUrl", Value: yamlout.Map{
			{Key: "Value", Value: yamlout.Map{{Key: "Fn::Sub", Value: "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}}},
		}})
	}
	return nil
}

// event returns the SAM events and policies of one trigger; failures is
// the ARN of the function's failure queue, where a stream's failed batches
// are described after MaxReceiveCount retries, and public opts an HTTP
// route out of the API's IAM authorization.
func (g *samGen) event(t core.Trigger, failures any, public bool) ([]yamlout.Map, []any, error) {
	arn := t.Setting("aws", aws.SettingARN)
	batch := func(m yamlout.Map) yamlout.Map {
		if t.BatchSize > 0 {
			m = append(m, yamlout.KV{Key: "BatchSize", Value: t.BatchSize})
		}
		m = append(m, yamlout.KV{Key: "FunctionResponseTypes", Value: []string{"ReportBatchItemFailures"}})
		if t.Kind == core.TriggerStream {
			m = append(m, yamlout.KV{Key: "MaximumRetryAttempts", Value: g.opts.MaxReceiveCount},
				yamlout.KV{Key: "DestinationConfig", Value: yamlout.Map{{Key: "OnFailure", Value: yamlout.Map{
					{Key: "Type", Value: "SQS"}, {Key: "Destination", Value: failures},
				}}}})
		}
		return m
	}
	switch t.Kind {
	case core.TriggerHTTP:
		path, err := samPath(t.Route)
		if err != nil {
			return nil, nil, err
		}
		methods := t.Methods
		if len(methods) == 0 {
			methods = []string{"ANY"}
		}
		var evs []yamlout.Map
		for _, m := range methods {
			props := yamlout.Map{{Key: "Path", Value: path}, {Key: "Method", Value: m}}
			if public {
				props = append(props, yamlout.KV{Key: "Auth", Value: yamlout.Map{{Key: "Authorizer", Value: "NONE"}}})
			}
			evs = append(evs, yamlout.Map{{Key: "Type", Value: "HttpApi"}, {Key: "Properties", Value: props}})
		}
		return evs, nil, nil
	case core.TriggerQueue:
		var ref any = arn
		name := arnName(arn)
		if arn == "" {
			var err error
			if ref, err = g.queue(t.Name); err != nil {
				return nil, nil, err
			}
			name = t.Name
		}
		ev := yamlout.Map{{Key: "Type", Value: "SQS"}, {Key: "Properties", Value: batch(yamlout.Map{{Key: "Queue", Value: ref}})}}
		return []yamlout.Map{ev}, []any{yamlout.Map{{Key: "SQSPollerPolicy", Value: yamlout.Map{{Key: "QueueName", Value: name}}}}}, nil
	case core.TriggerTopic:
		ref, _, err := g.resource("Topic", "AWS::SNS::Topic", "TopicName", "TopicArn", t.Name, arn)
		if err != nil {
			return nil, nil, err
		}
		return []yamlout.Map{{{Key: "Type", Value: "SNS"}, {Key: "Properties", Value: yamlout.Map{{Key: "Topic", Value: ref}}}}}, nil, nil
	case core.TriggerSchedule:
		expr, err := Cron(t.Cron)
		if err != nil {
			return nil, nil, err
		}
		props := yamlout.Map{{Key: "ScheduleExpression", Value: expr}}
		if t.TimeZone != "" {
			props = append(props, yamlout.KV{Key: "ScheduleExpressionTimezone", Value: t.TimeZone})
		}
		return []yamlout.Map{{{Key: "Type", Value: "ScheduleV2"}, {Key: "Properties", Value: props}}}, nil, nil
	case core.TriggerStream:
		if isDynamoDBStream(t) {
			if arn == "" {
				return nil, nil, fmt.Errorf("a DynamoDB stream needs its stream ARN: .With(\"aws\", \"arn\", \"arn:aws:dynamodb:...:table/T/stream/...\")")
			}
			table := dynamoTable(arn)
			ev := yamlout.Map{{Key: "Type", Value: "DynamoDB"}, {Key: "Properties", Value: batch(yamlout.Map{{Key: "Stream", Value: arn}, {Key: "StartingPosition", Value: "LATEST"}})}}
			pol := yamlout.Map{{Key: "DynamoDBStreamReadPolicy", Value: yamlout.Map{{Key: "TableName", Value: table}, {Key: "StreamName", Value: "*"}}}}
			return []yamlout.Map{ev}, []any{pol}, nil
		}
		ref, name, err := g.resource("Stream", "AWS::Kinesis::Stream", "Name", "Arn", t.Name, arn)
		if err != nil {
			return nil, nil, err
		}
		if arn == "" {
			g.addProperty(logicalID(t.Name)+"Stream", yamlout.KV{Key: "ShardCount", Value: 1})
		}
		ev := yamlout.Map{{Key: "Type", Value: "Kinesis"}, {Key: "Properties", Value: batch(yamlout.Map{{Key: "Stream", Value: ref}, {Key: "StartingPosition", Value: "LATEST"}})}}
		return []yamlout.Map{ev}, []any{yamlout.Map{{Key: "KinesisStreamReadPolicy", Value: yamlout.Map{{Key: "StreamName", Value: name}}}}}, nil
	case core.TriggerStorage:
		// SAM's S3 event needs the bucket in the same template.
		id := logicalID(t.Name) + "Bucket"
		fresh, err := g.claim(id, "bucket "+t.Name)
		if err != nil {
			return nil, nil, err
		}
		if fresh {
			g.resources = append(g.resources, yamlout.KV{Key: id, Value: yamlout.Map{
				{Key: "Type", Value: "AWS::S3::Bucket"},
				{Key: "Properties", Value: yamlout.Map{{Key: "BucketName", Value: t.Name}}},
			}})
		}
		var kinds []string
		for _, k := range t.Events {
			if k == core.KindStorageObjectCreated {
				kinds = append(kinds, "s3:ObjectCreated:*")
			} else {
				kinds = append(kinds, "s3:ObjectRemoved:*")
			}
		}
		if len(kinds) == 0 {
			kinds = []string{"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}
		}
		ev := yamlout.Map{{Key: "Type", Value: "S3"}, {Key: "Properties", Value: yamlout.Map{{Key: "Bucket", Value: yamlout.Map{{Key: "Ref", Value: id}}}, {Key: "Events", Value: kinds}}}}
		return []yamlout.Map{ev}, []any{yamlout.Map{{Key: "S3ReadPolicy", Value: yamlout.Map{{Key: "BucketName", Value: t.Name}}}}}, nil
	case core.TriggerEvent:
		pattern := yamlout.Map{{Key: "detail-type", Value: []string{t.Type}}}
		if t.Source != "" {
			pattern = append(pattern, yamlout.KV{Key: "source", Value: []string{t.Source}})
		}
		return []yamlout.Map{{{Key: "Type", Value: "EventBridgeRule"}, {Key: "Properties", Value: yamlout.Map{{Key: "Pattern", Value: pattern}}}}}, nil, nil
	}
	return nil, nil, fmt.Errorf("trigger kind %q has no AWS event source", t.Kind)
}

// resource returns how an event refers to a queue, topic or stream: its ARN
// when the trigger gives one, or a resource the template creates. It also
// returns the resource's name for policy templates.
func (g *samGen) resource(suffix, typ, nameProp, arnAttr, name, arn string) (any, string, error) {
	if arn != "" {
		return arn, arnName(arn), nil
	}
	id := logicalID(name) + suffix
	fresh, err := g.claim(id, strings.ToLower(suffix)+" "+name)
	if err != nil {
		return nil, "", err
	}
	if fresh {
		g.resources = append(g.resources, yamlout.KV{Key: id, Value: yamlout.Map{
			{Key: "Type", Value: typ},
			{Key: "Properties", Value: yamlout.Map{{Key: nameProp, Value: name}}},
		}})
	}
	return yamlout.Map{{Key: "Fn::GetAtt", Value: []string{id, arnAttr}}}, name, nil
}

// addProperty adds a property to a generated resource.
func (g *samGen) addProperty(id string, kv yamlout.KV) {
	for i, r := range g.resources {
		if r.Key != id {
			continue
		}
		m := r.Value.(yamlout.Map)
		for j, p := range m {
			if p.Key == "Properties" {
				props := p.Value.(yamlout.Map)
				for _, have := range props {
					if have.Key == kv.Key {
						return
					}
				}
				m[j].Value = append(props, kv)
			}
		}
		g.resources[i].Value = m
	}
}
