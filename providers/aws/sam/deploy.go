package sam

import (
	"fmt"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/yamlout"
)

// Alias is the Lambda alias the template publishes (AutoPublishAlias) for
// a function with provisioned concurrency or a gradual rollout: its event
// sources and HTTP routes call the alias, which CodeDeploy moves from one
// version to the next.
const Alias = "live"

// maxMemoryMB is Lambda's largest memory size.
const maxMemoryMB = 10240

// knobs returns the properties that map f's cost and rollout knobs
// (core.Deployment): MemorySize, ReservedConcurrentExecutions
// (the most instances), ProvisionedConcurrencyConfig (the fewest, kept
// warm, on the alias), and AutoPublishAlias with a DeploymentPreference
// for a canary or linear rollout. A declared architecture must be the
// template's (Options.Architecture, in Globals).
func (g *samGen) knobs(f *core.Function, fid string) (yamlout.Map, error) {
	d := f.Deploy
	var props yamlout.Map
	if d.MemoryMB > 0 {
		if d.MemoryMB > maxMemoryMB {
			return nil, fmt.Errorf("memory %d MB is over Lambda's %d MB", d.MemoryMB, maxMemoryMB)
		}
		props = append(props, yamlout.KV{Key: "MemorySize", Value: d.MemoryMB})
	}
	if d.Architecture != "" {
		arch := lambdaArch(string(d.Architecture))
		if arch != g.opts.Architecture {
			return nil, fmt.Errorf("architecture %s: the template is for %s builds, and one binary serves every function; build and write the manifest with --arch %s", d.Architecture, g.opts.Architecture, d.Architecture)
		}
		// Globals holds it: SAM appends a function's Architectures to
		// the global list, and Lambda takes one.
	}
	if d.MaxInstances > 0 {
		props = append(props, yamlout.KV{Key: "ReservedConcurrentExecutions", Value: d.MaxInstances})
	}
	if d.MinInstances > 0 || d.Rollout.Strategy != core.RolloutAllAtOnce {
		props = append(props, yamlout.KV{Key: "AutoPublishAlias", Value: Alias})
	}
	if d.MinInstances > 0 {
		props = append(props, yamlout.KV{Key: "ProvisionedConcurrencyConfig", Value: yamlout.Map{{Key: "ProvisionedConcurrentExecutions", Value: d.MinInstances}}})
	}
	if d.Rollout.Strategy != core.RolloutAllAtOnce {
		pref, err := g.rollout(f, fid)
		if err != nil {
			return nil, err
		}
		props = append(props, yamlout.KV{Key: "DeploymentPreference", Value: pref})
	}
	return props, nil
}

// lambdaArch returns Lambda's name of a Go architecture.
func lambdaArch(goarch string) string {
	if goarch == string(core.ArchAMD64) {
		return "x86_64"
	}
	return goarch
}

// rollout returns the DeploymentPreference of f's rollout: one of
// CodeDeploy's predefined configurations when one matches
// (Canary10Percent5Minutes, Linear10PercentEvery1Minute, ...), else a
// deployment configuration the template creates; and an alarm on the
// alias's errors, which rolls the deployment back when it fires.
func (g *samGen) rollout(f *core.Function, fid string) (yamlout.Map, error) {
	r := f.Deploy.Rollout
	if r.Interval%time.Minute != 0 {
		return nil, fmt.Errorf("%s: CodeDeploy shifts traffic in whole minutes", r)
	}
	mins := int(r.Interval / time.Minute)
	var typ any = predefinedConfig(r, mins)
	if typ == "" {
		id := fid + "DeploymentConfig"
		if _, err := g.claim(id, "function "+f.Name); err != nil {
			return nil, err
		}
		routing := yamlout.Map{{Key: "Type", Value: "TimeBasedCanary"}, {Key: "TimeBasedCanary", Value: yamlout.Map{
			{Key: "CanaryInterval", Value: mins}, {Key: "CanaryPercentage", Value: r.Percent},
		}}}
		if r.Strategy == core.RolloutLinear {
			routing = yamlout.Map{{Key: "Type", Value: "TimeBasedLinear"}, {Key: "TimeBasedLinear", Value: yamlout.Map{
				{Key: "LinearInterval", Value: mins}, {Key: "LinearPercentage", Value: r.Percent},
			}}}
		}
		g.resources = append(g.resources, yamlout.KV{Key: id, Value: yamlout.Map{
			{Key: "Type", Value: "AWS::CodeDeploy::DeploymentConfig"},
			{Key: "Properties", Value: yamlout.Map{{Key: "ComputePlatform", Value: "Lambda"}, {Key: "TrafficRoutingConfig", Value: routing}}},
		}})
		typ = yamlout.Map{{Key: "Ref", Value: id}}
	}
	alarm := fid + "ErrorsAlarm"
	if _, err := g.claim(alarm, "function "+f.Name); err != nil {
		return nil, err
	}
	g.resources = append(g.resources, yamlout.KV{Key: alarm, Value: yamlout.Map{
		{Key: "Type", Value: "AWS::CloudWatch::Alarm"},
		{Key: "Properties", Value: yamlout.Map{
			{Key: "AlarmDescription", Value: fmt.Sprintf("Errors of %s during a rollout (%s): CodeDeploy rolls back when it fires", f.Name, r)},
			{Key: "Namespace", Value: "AWS/Lambda"},
			{Key: "MetricName", Value: "Errors"},
			{Key: "Dimensions", Value: []any{
				yamlout.Map{{Key: "Name", Value: "Resource"}, {Key: "Value", Value: yamlout.Map{{Key: "Fn::Sub", Value: "${" + fid + "}:" + Alias}}}},
				yamlout.Map{{Key: "Name", Value: "FunctionName"}, {Key: "Value", Value: yamlout.Map{{Key: "Ref", Value: fid}}}},
			}},
			{Key: "Statistic", Value: "Sum"},
			{Key: "Period", Value: 60},
			{Key: "EvaluationPeriods", Value: 1},
			{Key: "Threshold", Value: 0},
			{Key: "ComparisonOperator", Value: "GreaterThanThreshold"},
			{Key: "TreatMissingData", Value: "notBreaching"},
		}},
	}})
	return yamlout.Map{{Key: "Type", Value: typ}, {Key: "Alarms", Value: []any{yamlout.Map{{Key: "Ref", Value: alarm}}}}}, nil
}

// predefinedConfig returns the name of CodeDeploy's predefined Lambda
// configuration for r, or "" when there is none.
func predefinedConfig(r core.Rollout, mins int) string {
	if r.Percent != 10 {
		return ""
	}
	switch {
	case r.Strategy == core.RolloutCanary && (mins == 5 || mins == 10 || mins == 15 || mins == 30):
		return fmt.Sprintf("Canary10Percent%dMinutes", mins)
	case r.Strategy == core.RolloutLinear && mins == 1:
		return "Linear10PercentEvery1Minute"
	case r.Strategy == core.RolloutLinear && (mins == 2 || mins == 3 || mins == 10):
		return fmt.Sprintf("Linear10PercentEvery%dMinutes", mins)
	}
	return ""
}
