package sam

import (
	"fmt"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/yamlout"
	"github.com/polyfn/polyfn/providers/aws"
)

const (
	// defaultTimeout is the functions' timeout in seconds when they
	// declare none (Globals).
	defaultTimeout = 30
	// visibilityFactor is how many function timeouts a queue's messages
	// stay invisible while a batch runs: AWS asks for at least six, so
	// that retries of a throttled invocation do not redeliver a message
	// still being handled.
	visibilityFactor = 6
	// maxVisibility is SQS's longest visibility timeout, 12 hours.
	maxVisibility = 43200
	// dlqRetention keeps dead letters for SQS's longest retention, 14
	// days, longer than any source queue keeps them.
	dlqRetention = 1209600
)

// timeoutSeconds returns f's Lambda timeout in whole seconds.
func timeoutSeconds(f *core.Function) (int, error) {
	if f.Timeout <= 0 {
		return defaultTimeout, nil
	}
	secs := int((f.Timeout + 999_999_999) / 1_000_000_000)
	if secs > 900 {
		return 0, fmt.Errorf("timeout %s is over Lambda's 900 s", f.Timeout)
	}
	return secs, nil
}

// planQueues records, for every queue the template creates (a queue
// trigger without an aws/arn setting, or a declared queue resource), the
// longest timeout of the functions that read it, which sets its
// visibility timeout (the default timeout for a queue none reads). It returns
// an error when a queue's dead-letter queue would take the name of
// another declared queue.
func (g *samGen) planQueues(app *core.App) error {
	g.queueTimeout = map[string]int{}
	external := map[string]bool{} // queues a trigger gives by ARN
	for _, f := range app.Functions() {
		secs, err := timeoutSeconds(f)
		if err != nil {
			return fmt.Errorf("function %q: %w", f.Name, err)
		}
		for _, t := range f.Triggers {
			if t.Kind == core.TriggerQueue && t.Setting("aws", aws.SettingARN) != "" {
				external[t.Name] = true
			}
			if t.Kind != core.TriggerQueue || t.Setting("aws", aws.SettingARN) != "" {
				continue
			}
			g.queueTimeout[t.Name] = max(g.queueTimeout[t.Name], secs)
		}
	}
	for _, r := range app.Resources() {
		if _, read := g.queueTimeout[r.Name]; r.Kind == core.ResourceQueue && !read && r.Setting("aws", aws.SettingARN) == "" && !external[r.Name] {
			// Read by no function of the App: as if by one with the default timeout.
			g.queueTimeout[r.Name] = defaultTimeout
		}
	}
	for name := range g.queueTimeout {
		if _, ok := g.queueTimeout[dlqName(name)]; ok {
			return fmt.Errorf("queue %q: its dead-letter queue would be named %q, which the App declares as a queue: rename one, or give it with .With(\"aws\", \"arn\", ...)", name, dlqName(name))
		}
	}
	return nil
}

// dlqName returns the name of a queue's dead-letter queue: "orders-dlq",
// or "orders-dlq.fifo" for a FIFO queue (whose dead-letter queue must be
// FIFO too).
func dlqName(queue string) string {
	if base, ok := strings.CutSuffix(queue, ".fifo"); ok {
		return base + "-dlq.fifo"
	}
	return queue + "-dlq"
}

// queue creates the queue name unless created already, with its
// dead-letter queue: a redrive policy moves a message there after
// MaxReceiveCount failed receives, and the visibility timeout is six
// times the longest timeout of the queue's functions. It returns how an
// event refers to the queue.
func (g *samGen) queue(name string) (any, error) {
	id := logicalID(name) + "Queue"
	ref := yamlout.Map{{Key: "Fn::GetAtt", Value: []string{id, "Arn"}}}
	fresh, err := g.claim(id, "queue "+name)
	if err != nil || !fresh {
		return ref, err
	}
	dlq := logicalID(name) + "DeadLetterQueue"
	if _, err := g.claim(dlq, "queue "+name); err != nil {
		return nil, err
	}
	fifo := strings.HasSuffix(name, ".fifo")
	props := func(queueName string) yamlout.Map {
		m := yamlout.Map{{Key: "QueueName", Value: queueName}}
		if fifo {
			m = append(m, yamlout.KV{Key: "FifoQueue", Value: true})
		}
		return m
	}
	visibility := min(visibilityFactor*g.queueTimeout[name], maxVisibility)
	g.resources = append(g.resources,
		yamlout.KV{Key: id, Value: yamlout.Map{
			{Key: "Type", Value: "AWS::SQS::Queue"},
			{Key: "Properties", Value: append(props(name),
				yamlout.KV{Key: "VisibilityTimeout", Value: visibility},
				yamlout.KV{Key: "RedrivePolicy", Value: yamlout.Map{
					{Key: "deadLetterTargetArn", Value: yamlout.Map{{Key: "Fn::GetAtt", Value: []string{dlq, "Arn"}}}},
					{Key: "maxReceiveCount", Value: g.opts.MaxReceiveCount},
				}})},
		}},
		yamlout.KV{Key: dlq, Value: yamlout.Map{
			{Key: "Type", Value: "AWS::SQS::Queue"},
			{Key: "Properties", Value: append(props(dlqName(name)), yamlout.KV{Key: "MessageRetentionPeriod", Value: dlqRetention})},
		}})
	return ref, nil
}

// asyncKinds are the triggers Lambda invokes asynchronously: after its
// retries, a failed event goes to the function's failure queue.
var asyncKinds = map[core.TriggerKind]bool{
	core.TriggerTopic: true, core.TriggerStorage: true, core.TriggerSchedule: true, core.TriggerEvent: true,
}

// failureQueue creates the failure queue of a function that an
// asynchronous source invokes, or that reads a stream, and returns its
// ARN: the function's DeadLetterQueue for the events that failed Lambda's
// retries, and its streams' on-failure destination, which describes the
// records that failed MaxReceiveCount retries (SAM adds the policies that
// let the function send to it). It returns nil for other functions, and
// whether an asynchronous source invokes the function.
func (g *samGen) failureQueue(f *core.Function, fid string) (arn any, async bool, err error) {
	stream := false
	for _, t := range f.Triggers {
		async = async || asyncKinds[t.Kind]
		stream = stream || t.Kind == core.TriggerStream
	}
	if !async && !stream {
		return nil, false, nil
	}
	id := fid + "DeadLetterQueue"
	if _, err := g.claim(id, "function "+f.Name); err != nil {
		return nil, false, err
	}
	g.resources = append(g.resources, yamlout.KV{Key: id, Value: yamlout.Map{
		{Key: "Type", Value: "AWS::SQS::Queue"},
		{Key: "Properties", Value: yamlout.Map{{Key: "MessageRetentionPeriod", Value: dlqRetention}}},
	}})
	return yamlout.Map{{Key: "Fn::GetAtt", Value: []string{id, "Arn"}}}, async, nil
}
