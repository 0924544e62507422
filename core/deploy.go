package core

import (
	"fmt"
	"time"
)

// Deployment holds a function's cost, rollout and access knobs, declared
// once and mapped by each cloud's manifest (docs/deploy.md has the table);
// a zero field leaves the cloud's default, except Public, whose zero value
// keeps the function private. Adapters ignore them.
type Deployment struct {
	// MemoryMB is the memory of the function's instances, in MB (Lambda's
	// MemorySize, Cloud Functions' --memory, Azure Flex's instance memory).
	MemoryMB int
	// Architecture is the CPU architecture of the function's binary; ""
	// takes the build's (polyfn build --arch). Lambda honours it per
	// function; Azure and Google run x86-64 only.
	Architecture Architecture
	// MinInstances is how many instances are kept warm (Lambda provisioned
	// concurrency, Cloud Functions --min-instances, Azure Flex always-ready
	// instances).
	MinInstances int
	// MaxInstances caps how many run at once (Lambda reserved concurrency,
	// Cloud Functions --max-instances, Azure Flex's maximum instance count).
	MaxInstances int
	// Rollout is how a new version takes traffic; the zero value shifts
	// it all at once.
	Rollout Rollout
	// Public lets anyone invoke the HTTP function through the platform
	// (see Public). False, the default, keeps it private: the platform
	// lets through only callers it authenticates itself (IAM, function
	// keys, the Cloud Run invoker role).
	Public bool
}

// Architecture is a CPU architecture, as Go names it.
type Architecture string

// The architectures polyfn builds for.
const (
	ArchARM64 Architecture = "arm64"
	ArchAMD64 Architecture = "amd64"
)

// RolloutStrategy names how a rollout shifts traffic.
type RolloutStrategy string

// The rollout strategies.
const (
	// RolloutAllAtOnce shifts all traffic to a new version at once.
	RolloutAllAtOnce RolloutStrategy = ""
	// RolloutCanary sends Percent of the traffic to the new version for
	// Interval, then the rest.
	RolloutCanary RolloutStrategy = "canary"
	// RolloutLinear adds Percent of the traffic every Interval.
	RolloutLinear RolloutStrategy = "linear"
)

// A Rollout says how a new version of a function takes traffic. Build one
// with Canary or Linear.
type Rollout struct {
	Strategy RolloutStrategy
	// Percent is the share of traffic the new version gets first (canary)
	// or gains at each step (linear), from 1 to 99.
	Percent int
	// Interval is how long the canary runs, or the time between steps.
	Interval time.Duration
}

// Canary returns a rollout that sends percent of the traffic to a new
// version for wait, then all of it; on AWS an alarm on the function's
// errors rolls it back.
func Canary(percent int, wait time.Duration) Rollout {
	return Rollout{Strategy: RolloutCanary, Percent: percent, Interval: wait}
}

// Linear returns a rollout that adds percent of the traffic to a new
// version every interval.
func Linear(percent int, every time.Duration) Rollout {
	return Rollout{Strategy: RolloutLinear, Percent: percent, Interval: every}
}

// String describes r: "all at once", "canary 10% for 5m0s", "linear 10%
// every 1m0s".
func (r Rollout) String() string {
	switch r.Strategy {
	case RolloutAllAtOnce:
		return "all at once"
	case RolloutCanary:
		return fmt.Sprintf("canary %d%% for %s", r.Percent, r.Interval)
	case RolloutLinear:
		return fmt.Sprintf("linear %d%% every %s", r.Percent, r.Interval)
	}
	return fmt.Sprintf("rollout %q", string(r.Strategy))
}

type deployOption func(*Deployment)

func (o deployOption) applyFunction(f *Function) { o(&f.Deploy) }

// WithMemory sets the memory of the function's instances in MB, from 128
// to 32768; each manifest rounds it to what its cloud offers. The default,
// 0, leaves the cloud's (Lambda 128 MB).
func WithMemory(mb int) FunctionOption { return deployOption(func(d *Deployment) { d.MemoryMB = mb }) }

// WithArchitecture sets the CPU architecture of the function's binary on
// clouds that offer a choice (Lambda). The default, "", takes the build's.
func WithArchitecture(a Architecture) FunctionOption {
	return deployOption(func(d *Deployment) { d.Architecture = a })
}

// WithInstances keeps min instances of the function warm and lets at most
// max run at once; 0 leaves the cloud's default for either.
func WithInstances(min, max int) FunctionOption {
	return deployOption(func(d *Deployment) { d.MinInstances, d.MaxInstances = min, max })
}

// WithRollout sets how a new version of the function takes traffic (see
// Canary and Linear). The default shifts it all at once.
func WithRollout(r Rollout) FunctionOption {
	return deployOption(func(d *Deployment) { d.Rollout = r })
}

// Public declares that the platform lets anyone call this HTTP function:
// the manifests open it (Azure authLevel "anonymous", gcloud
// --allow-unauthenticated, Lambda function URLs with AuthType NONE and
// API Gateway routes without an authorizer), and the App authenticates
// callers itself, for example with core/auth. Without it every function
// is private: only callers the platform authenticates reach it (IAM,
// function keys, the Cloud Run invoker role). Event functions are invoked
// by their platform and cannot be public: registering one with Public
// fails.
func Public() FunctionOption { return deployOption(func(d *Deployment) { d.Public = true }) }

// check validates the knobs' own values for a function of kind k.
func (d Deployment) check(k FunctionKind) error {
	switch {
	case d.Public && k != HTTPFunction:
		return fmt.Errorf("core.Public() applies to HTTP functions only: the platform invokes an event function, and who may send it events is set on the event source")
	case d.MemoryMB != 0 && (d.MemoryMB < 128 || d.MemoryMB > 32768):
		return fmt.Errorf("memory %d MB is not from 128 to 32768", d.MemoryMB)
	case d.Architecture != "" && d.Architecture != ArchARM64 && d.Architecture != ArchAMD64:
		return fmt.Errorf("architecture %q is not %q or %q", d.Architecture, ArchARM64, ArchAMD64)
	case d.MinInstances < 0 || d.MaxInstances < 0:
		return fmt.Errorf("instances %d to %d: negative", d.MinInstances, d.MaxInstances)
	case d.MaxInstances > 0 && d.MinInstances > d.MaxInstances:
		return fmt.Errorf("instances: min %d is above max %d", d.MinInstances, d.MaxInstances)
	}
	r := d.Rollout
	switch r.Strategy {
	case RolloutAllAtOnce:
		if r.Percent != 0 || r.Interval != 0 {
			return fmt.Errorf("rollout: a percent or an interval needs a strategy (core.Canary, core.Linear)")
		}
	case RolloutCanary, RolloutLinear:
		if r.Percent < 1 || r.Percent > 99 {
			return fmt.Errorf("%s: the percent is not from 1 to 99", r)
		}
		if r.Interval <= 0 {
			return fmt.Errorf("%s: the interval is not positive", r)
		}
	default:
		return fmt.Errorf("rollout strategy %q is not canary or linear", string(r.Strategy))
	}
	return nil
}
