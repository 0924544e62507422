// Package sam generates AWS SAM templates from a polyfn App: the
// deployment manifest polyfn manifest --provider aws writes. It is a
// build-time package, apart from providers/aws so that Lambda binaries do
// not link it.
package sam

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

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
	// MemorySize in MB; 0 means 128.
	MemorySize int
}

// Template returns an AWS SAM template for app: one
// AWS::Serverless::Function per function of the App, all running the same
// bootstrap on provided.al2023 and picking their function with
// POLYFN_FUNCTION; an event per trigger; FunctionResponseTypes
// [ReportBatchItemFailures] on every batch source; a least-privilege policy
// per trigger. Queues, topics, streams and buckets named without an
// aws/arn setting are created by the template. It returns an error that
// names the function and trigger that AWS cannot express.
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
	g := &samGen{created: map[string]bool{}}
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
	doc := yamlout.Map{
		{Key: "AWSTemplateFormatVersion", Value: "2010-09-09"},
		{Key: "Transform", Value: "AWS::Serverless-2016-10-31"},
		{Key: "Description", Value: "polyfn app: " + strings.Join(app.Names(), ", ")},
		{Key: "Globals", Value: yamlout.Map{{Key: "Function", Value: yamlout.Map{
			{Key: "Runtime", Value: "provided.al2023"},
			{Key: "Handler", Value: "bootstrap"},
			{Key: "Architectures", Value: []string{opts.Architecture}},
			{Key: "CodeUri", Value: opts.CodeURI},
			{Key: "MemorySize", Value: opts.MemorySize},
			{Key: "Timeout", Value: 30},
		}}}},
		{Key: "Resources", Value: g.resources},
	}
	if len(g.outputs) > 0 {
		doc = append(doc, yamlout.KV{Key: "Outputs", Value: g.outputs})
	}
	return yamlout.Marshal(doc)
}

type samGen struct {
	resources yamlout.Map
	outputs   yamlout.Map
	created   map[string]bool // logical ids of generated queues, topics, ...
}

func (g *samGen) function(f *core.Function) error {
	id := logicalID(f.Name) + "Function"
	var events yamlout.Map
	var policies []any
	hasHTTPAPI := false
	for i, t := range f.Triggers {
		name := fmt.Sprintf("%s%d", logicalID(string(t.Kind)), i+1)
		ev, pol, err := g.event(t)
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
	props := yamlout.Map{
		{Key: "Environment", Value: yamlout.Map{{Key: "Variables", Value: yamlout.Map{{Key: "POLYFN_FUNCTION", Value: f.Name}}}}},
	}
	if f.Timeout > 0 {
		secs := int((f.Timeout + 999_999_999) / 1_000_000_000)
		if secs > 900 {
			return fmt.Errorf("timeout %s is over Lambda's 900 s", f.Timeout)
		}
		props = append(props, yamlout.KV{Key: "Timeout", Value: secs})
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
	if hasHTTPAPI && !g.created["HttpApiUrl"] {
		g.created["HttpApiUrl"] = true
		g.outputs = append(g.outputs, yamlout.KV{Key: "HttpApiUrl", Value: yamlout.Map{
			{Key: "Value", Value: yamlout.Map{{Key: "Fn::Sub", Value: "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}}},
		}})
	}
	return nil
}

// event returns the SAM events and policies of one trigger.
func (g *samGen) event(t core.Trigger) ([]yamlout.Map, []any, error) {
	arn := t.Setting("aws", aws.SettingARN)
	batch := func(m yamlout.Map) yamlout.Map {
		if t.BatchSize > 0 {
			m = append(m, yamlout.KV{Key: "BatchSize", Value: t.BatchSize})
		}
		return append(m, yamlout.KV{Key: "FunctionResponseTypes", Value: []string{"ReportBatchItemFailures"}})
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
			evs = append(evs, yamlout.Map{{Key: "Type", Value: "HttpApi"}, {Key: "Properties", Value: yamlout.Map{{Key: "Path", Value: path}, {Key: "Method", Value: m}}}})
		}
		return evs, nil, nil
	case core.TriggerQueue:
		ref, name := g.resource("Queue", "AWS::SQS::Queue", "QueueName", "Arn", t.Name, arn)
		ev := yamlout.Map{{Key: "Type", Value: "SQS"}, {Key: "Properties", Value: batch(yamlout.Map{{Key: "Queue", Value: ref}})}}
		return []yamlout.Map{ev}, []any{yamlout.Map{{Key: "SQSPollerPolicy", Value: yamlout.Map{{Key: "QueueName", Value: name}}}}}, nil
	case core.TriggerTopic:
		ref, _ := g.resource("Topic", "AWS::SNS::Topic", "TopicName", "TopicArn", t.Name, arn)
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
		ref, name := g.resource("Stream", "AWS::Kinesis::Stream", "Name", "Arn", t.Name, arn)
		if arn == "" {
			g.addProperty(logicalID(t.Name)+"Stream", yamlout.KV{Key: "ShardCount", Value: 1})
		}
		ev := yamlout.Map{{Key: "Type", Value: "Kinesis"}, {Key: "Properties", Value: batch(yamlout.Map{{Key: "Stream", Value: ref}, {Key: "StartingPosition", Value: "LATEST"}})}}
		return []yamlout.Map{ev}, []any{yamlout.Map{{Key: "KinesisStreamReadPolicy", Value: yamlout.Map{{Key: "StreamName", Value: name}}}}}, nil
	case core.TriggerStorage:
		// SAM's S3 event needs the bucket in the same template.
		id := logicalID(t.Name) + "Bucket"
		if !g.created[id] {
			g.created[id] = true
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
func (g *samGen) resource(suffix, typ, nameProp, arnAttr, name, arn string) (any, string) {
	if arn != "" {
		return arn, arnName(arn)
	}
	id := logicalID(name) + suffix
	if !g.created[id] {
		g.created[id] = true
		g.resources = append(g.resources, yamlout.KV{Key: id, Value: yamlout.Map{
			{Key: "Type", Value: typ},
			{Key: "Properties", Value: yamlout.Map{{Key: nameProp, Value: name}}},
		}})
	}
	return yamlout.Map{{Key: "Fn::GetAtt", Value: []string{id, arnAttr}}}, name
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

// arnName returns the last part of an ARN: the queue, topic or stream name.
func arnName(arn string) string {
	if i := strings.LastIndexAny(arn, ":/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// dynamoTable returns the table name of a DynamoDB stream ARN.
func dynamoTable(arn string) string {
	_, rest, _ := strings.Cut(arn, ":table/")
	table, _, _ := strings.Cut(rest, "/")
	return table
}

// logicalID turns a name into a CloudFormation logical id: letters and
// digits only, each word capitalized ("order-placed" → "OrderPlaced").
func logicalID(name string) string {
	var b strings.Builder
	up := true
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) || r > unicode.MaxASCII {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 || !unicode.IsLetter(rune(b.String()[0])) {
		return "Fn" + b.String()
	}
	return b.String()
}

var wildcardRE = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// samPath converts a net/http.ServeMux route to an HTTP API path:
// "/orders/{id}" stays, "/files/{path...}" becomes "/files/{path+}", and a
// subtree "/api/" becomes "/api/{proxy+}".
func samPath(route string) (string, error) {
	if strings.Contains(route, "{$}") {
		return strings.ReplaceAll(route, "{$}", ""), nil
	}
	if strings.ContainsAny(route, "*") {
		return "", fmt.Errorf("route %q: HTTP API paths cannot hold *", route)
	}
	// A {name...} wildcard is greedy; {name} matches one segment in both.
	p := wildcardRE.ReplaceAllStringFunc(route, func(m string) string {
		if strings.HasSuffix(m, "...}") {
			return strings.TrimSuffix(m, "...}") + "+}"
		}
		return m
	})
	if strings.HasSuffix(p, "/") {
		if p == "/" {
			return "/{proxy+}", nil
		}
		p += "{proxy+}"
	}
	return p, nil
}

// Cron converts a five-field cron expression (core.ParseCron) to an
// EventBridge cron() expression: six fields with a year, one of the day
// fields "?", and weekdays as names, since EventBridge counts them from 1
// (Sunday) where cron counts from 0. Expressions that restrict both the day
// of the month and the day of the week, or step through weekdays, have no
// EventBridge equivalent and return an error that says so.
func Cron(expr string) (string, error) {
	c, err := core.ParseCron(expr)
	if err != nil {
		return "", err
	}
	dom, dow := c.DayOfMonth, c.DayOfWeek
	switch {
	case (dom == "*" || dom == "?") && (dow == "*" || dow == "?"):
		dom, dow = "*", "?"
	case dow == "*" || dow == "?":
		dow = "?"
	case dom == "*" || dom == "?":
		dom = "?"
	default:
		return "", fmt.Errorf("cron %q restricts both the day of the month and the day of the week; EventBridge allows one (use ? in the other)", expr)
	}
	if dow != "?" {
		if strings.Contains(dow, "/") {
			return "", fmt.Errorf("cron %q steps through weekdays, which EventBridge cannot express; list them instead", expr)
		}
		dow = weekdayNames(dow)
	}
	return fmt.Sprintf("cron(%s %s %s %s %s *)", c.Minute, c.Hour, dom, c.Month, dow), nil
}

var (
	weekdays  = [...]string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"}
	weekdayRE = regexp.MustCompile(`[0-7]`)
)

// weekdayNames replaces weekday numbers (0-7) with names.
func weekdayNames(field string) string {
	return weekdayRE.ReplaceAllStringFunc(field, func(d string) string { return weekdays[d[0]-'0'] })
}

// isDynamoDBStream reports whether a stream trigger reads a DynamoDB stream,
// by the rule the Lambda adapter applies.
func isDynamoDBStream(t core.Trigger) bool {
	src, err := aws.SourceOf(&core.Function{Kind: core.EventFunction, Triggers: []core.Trigger{t}})
	return err == nil && len(src) == 1 && src[0] == aws.SourceDynamoDB
}
