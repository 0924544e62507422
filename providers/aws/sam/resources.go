package sam

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/yamlout"
	"github.com/polyfn/polyfn/providers/aws"
)

// declare creates every resource the App's functions use
// (core.App.Resources), each once, sharing the topic, queue or bucket a
// trigger of the same name reads:
//   - a topic is an AWS::SNS::Topic named after it;
//   - a queue is an AWS::SQS::Queue named after it, with its dead-letter
//     queue and redrive policy, as for a queue trigger;
//   - a bucket is an AWS::S3::Bucket with public access blocked and
//     server-side encryption, whose name CloudFormation generates (S3
//     names are global) unless a storage trigger reads it: then it is
//     named after it (3 to 63 lower-case letters, digits, '-' or '.'), as
//     the trigger needs, since a bucket that notifies a function whose
//     policy or environment refers to it would make a dependency cycle;
//   - a table is an AWS::DynamoDB::Table whose name CloudFormation
//     generates, billed per request, with the string hash key
//     Resource.Key and time to live on Resource.TTLField when set.
//
// A resource that exists already, given by its ARN with
// .With("aws", "arn", ...) on it or on the trigger of the same name, is
// created by nobody: the policies and the URL name it.
func (g *samGen) declare(app *core.App) error {
	named := map[string]bool{}        // buckets a storage trigger reads
	triggerARN := map[string]string{} // "queue orders" → the ARN its trigger gives
	for _, f := range app.Functions() {
		for _, t := range f.Triggers {
			if t.Kind == core.TriggerStorage {
				named[t.Name] = true
			}
			if arn := t.Setting("aws", aws.SettingARN); arn != "" {
				triggerARN[string(t.Kind)+" "+t.Name] = arn
			}
		}
	}
	g.refs = map[string]samRef{}
	for _, r := range app.Resources() {
		arn := r.Setting("aws", aws.SettingARN)
		if t := triggerARN[string(r.Kind)+" "+r.Name]; t != "" {
			if arn != "" && arn != t {
				return fmt.Errorf("%s: its aws/arn %s is not its trigger's, %s", r, arn, t)
			}
			arn = t
		}
		g.refs[r.EnvVar()] = reference(r, arn, named[r.Name])
		if arn != "" {
			if !strings.HasPrefix(arn, "arn:") {
				return fmt.Errorf("%s: aws/arn %q is not an ARN", r, arn)
			}
			continue // it exists: the template creates nothing
		}
		var err error
		switch r.Kind {
		case core.ResourceTopic:
			_, _, err = g.resource("Topic", "AWS::SNS::Topic", "TopicName", "TopicArn", r.Name, "")
		case core.ResourceQueue:
			_, err = g.queue(r.Name)
		case core.ResourceBucket:
			err = g.bucket(r.Name, named[r.Name])
		case core.ResourceTable:
			err = g.table(r)
		default:
			err = fmt.Errorf("unknown kind %q", r.Kind)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", r, err)
		}
	}
	return nil
}

// bucketNameRE is what S3 accepts as a bucket name, in short.
var bucketNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// bucket creates the bucket name, or completes the one a storage trigger
// created, with public access blocked and encryption at rest.
func (g *samGen) bucket(name string, named bool) error {
	if named && !bucketNameRE.MatchString(name) {
		return fmt.Errorf("a storage trigger reads it, so it keeps its name, and S3 bucket names hold 3 to 63 lower-case letters, digits, '-' or '.'")
	}
	id := logicalID(name) + "Bucket"
	fresh, err := g.claim(id, "bucket "+name)
	if err != nil {
		return err
	}
	if fresh {
		props := yamlout.Map{}
		if named {
			props = yamlout.Map{{Key: "BucketName", Value: name}}
		}
		g.resources = append(g.resources, yamlout.KV{Key: id, Value: yamlout.Map{
			{Key: "Type", Value: "AWS::S3::Bucket"},
			{Key: "Properties", Value: props},
		}})
	}
	g.addProperty(id, yamlout.KV{Key: "PublicAccessBlockConfiguration", Value: yamlout.Map{
		{Key: "BlockPublicAcls", Value: true}, {Key: "BlockPublicPolicy", Value: true},
		{Key: "IgnorePublicAcls", Value: true}, {Key: "RestrictPublicBuckets", Value: true},
	}})
	g.addProperty(id, yamlout.KV{Key: "BucketEncryption", Value: yamlout.Map{{Key: "ServerSideEncryptionConfiguration", Value: []any{
		yamlout.Map{{Key: "ServerSideEncryptionByDefault", Value: yamlout.Map{{Key: "SSEAlgorithm", Value: "AES256"}}}},
	}}}})
	return nil
}

// table creates the DynamoDB table of r.
func (g *samGen) table(r core.Resource) error {
	id := logicalID(r.Name) + "Table"
	if _, err := g.claim(id, "table "+r.Name); err != nil {
		return err
	}
	props := yamlout.Map{
		{Key: "BillingMode", Value: "PAY_PER_REQUEST"},
		{Key: "AttributeDefinitions", Value: []any{yamlout.Map{{Key: "AttributeName", Value: r.Key()}, {Key: "AttributeType", Value: "S"}}}},
		{Key: "KeySchema", Value: []any{yamlout.Map{{Key: "AttributeName", Value: r.Key()}, {Key: "KeyType", Value: "HASH"}}}},
	}
	if r.TTLField != "" {
		props = append(props, yamlout.KV{Key: "TimeToLiveSpecification", Value: yamlout.Map{
			{Key: "AttributeName", Value: r.TTLField}, {Key: "Enabled", Value: true},
		}})
	}
	g.resources = append(g.resources, yamlout.KV{Key: id, Value: yamlout.Map{
		{Key: "Type", Value: "AWS::DynamoDB::Table"},
		{Key: "Properties", Value: props},
	}})
	return nil
}

// A samRef is how the template refers to one resource a function uses.
type samRef struct {
	name    any    // what the policy templates name: a name, or a Ref
	deletes any    // the Resource of a write-only use's delete statement
	url     string // the Fn::Sub string of its Go CDK URL
}

// reference returns how the template refers to r. An existing resource
// (arn, from an aws/arn setting on r or on the trigger of the same name)
// is named by the name its ARN ends with; a bucket that keeps its name
// (named, see declare) by that name; any other by reference.
func reference(r core.Resource, arn string, named bool) samRef {
	id := logicalID(r.Name)
	name := arnName(arn)
	region := "${AWS::Region}"
	if arn != "" {
		if parts := strings.Split(arn, ":"); len(parts) >= 6 && parts[3] != "" {
			region = parts[3]
		}
	}
	switch r.Kind {
	case core.ResourceTopic:
		if arn != "" {
			return samRef{name: name, url: "awssns:///" + arn + "?region=" + region}
		}
		// Ref of a topic is its ARN.
		return samRef{name: r.Name, url: "awssns:///${" + id + "Topic}?region=${AWS::Region}"}
	case core.ResourceQueue:
		if arn != "" {
			parts := strings.Split(arn, ":")
			return samRef{name: name, url: "awssqs://sqs." + region + ".${AWS::URLSuffix}/" + parts[len(parts)-2] + "/" + name + "?region=" + region}
		}
		return samRef{name: r.Name, url: "awssqs://sqs.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/${" + id + "Queue.QueueName}?region=${AWS::Region}"}
	case core.ResourceBucket:
		switch {
		case arn != "":
		case named:
			name = r.Name
		default:
			return samRef{name: yamlout.Map{{Key: "Ref", Value: id + "Bucket"}},
				deletes: yamlout.Map{{Key: "Fn::Sub", Value: "arn:${AWS::Partition}:s3:::${" + id + "Bucket}/*"}},
				url:     "s3://${" + id + "Bucket}?region=${AWS::Region}"}
		}
		return samRef{name: name, deletes: yamlout.Map{{Key: "Fn::Sub", Value: "arn:${AWS::Partition}:s3:::" + name + "/*"}},
			url: "s3://" + name + "?region=${AWS::Region}"}
	case core.ResourceTable:
		if arn != "" {
			return samRef{name: name, deletes: arn, url: "dynamodb://" + name + "?partition_key=" + r.Key()}
		}
		return samRef{name: yamlout.Map{{Key: "Ref", Value: id + "Table"}},
			deletes: yamlout.Map{{Key: "Fn::GetAtt", Value: []string{id + "Table", "Arn"}}},
			url:     "dynamodb://${" + id + "Table}?partition_key=" + r.Key()}
	}
	return samRef{}
}

// uses returns the policies and environment variables of f's resource
// uses: exactly its rights, on exactly those resources, and each one's
// Go CDK URL in Resource.EnvVar.
func (g *samGen) uses(f *core.Function) (policies []any, env yamlout.Map) {
	for _, u := range f.Uses {
		ref := g.refs[u.Resource.EnvVar()]
		policies = append(policies, usePolicies(u, ref)...)
		env = append(env, yamlout.KV{Key: u.Resource.EnvVar(), Value: yamlout.Map{{Key: "Fn::Sub", Value: ref.url}}})
	}
	return policies, env
}

// policyTemplates are the SAM policy templates of each kind of resource,
// the parameter that names the resource, and the action a write-only use
// adds, since writing includes deleting and the write templates lack it.
var policyTemplates = map[core.ResourceKind]struct{ param, publish, read, write, crud, delete string }{
	core.ResourceTopic:  {param: "TopicName", publish: "SNSPublishMessagePolicy"},
	core.ResourceQueue:  {param: "QueueName", publish: "SQSSendMessagePolicy"},
	core.ResourceBucket: {"BucketName", "", "S3ReadPolicy", "S3WritePolicy", "S3CrudPolicy", "s3:DeleteObject"},
	core.ResourceTable:  {"TableName", "", "DynamoDBReadPolicy", "DynamoDBWritePolicy", "DynamoDBCrudPolicy", "dynamodb:DeleteItem"},
}

// usePolicies returns the SAM policy templates that grant u's rights on
// u's resource, which ref names (see policyTemplates).
func usePolicies(u core.Use, ref samRef) []any {
	p := policyTemplates[u.Resource.Kind]
	tpl := func(name string) yamlout.Map {
		return yamlout.Map{{Key: name, Value: yamlout.Map{{Key: p.param, Value: ref.name}}}}
	}
	switch read, write := u.Can(core.Read), u.Can(core.Write); {
	case u.Can(core.Publish):
		return []any{tpl(p.publish)}
	case read && write:
		return []any{tpl(p.crud)}
	case write:
		return []any{tpl(p.write), yamlout.Map{{Key: "Statement", Value: []any{yamlout.Map{
			{Key: "Effect", Value: "Allow"}, {Key: "Action", Value: []string{p.delete}}, {Key: "Resource", Value: ref.deletes},
		}}}}}
	}
	return []any{tpl(p.read)}
}

// distinct drops the policies listed twice: a storage trigger and a use
// of its bucket may both grant S3ReadPolicy.
func distinct(policies []any) []any {
	seen := map[string]bool{}
	out := policies[:0]
	for _, p := range policies {
		b, err := yamlout.Marshal(yamlout.Map{{Key: "p", Value: p}})
		if err == nil && seen[string(b)] {
			continue
		}
		seen[string(b)] = true
		out = append(out, p)
	}
	return out
}
