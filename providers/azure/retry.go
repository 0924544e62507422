package azure

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/polyfn/polyfn/core"
)

// Trigger settings of a function's retry policy (trigger.With("azure", key,
// v)), which polyfn writes as function.json's "retry" instead of copying
// them into the trigger binding.
const (
	// SettingRetry is the retry strategy: "exponentialBackoff" (the default
	// for stream triggers), "fixedDelay", or "none" for no retry policy.
	SettingRetry = "retry"
	// SettingMaxRetryCount is how many times a failed invocation is
	// retried; -1 (the default) retries until it succeeds.
	SettingMaxRetryCount = "maxRetryCount"
	// SettingDelayInterval is the wait between retries of fixedDelay, a
	// .NET TimeSpan ("00:00:10", the default).
	SettingDelayInterval = "delayInterval"
	// SettingMinimumInterval and SettingMaximumInterval bound the wait of
	// exponentialBackoff (defaults "00:00:05" and "00:15:00").
	SettingMinimumInterval = "minimumInterval"
	SettingMaximumInterval = "maximumInterval"
)

// The retry strategies function.json names.
const (
	RetryFixedDelay         = "fixedDelay"
	RetryExponentialBackoff = "exponentialBackoff"
)

// Default retry intervals, as .NET TimeSpans.
const (
	DefaultDelayInterval   = "00:00:10"
	DefaultMinimumInterval = "00:00:05"
	DefaultMaximumInterval = "00:15:00"
)

// RetryPolicy is function.json's "retry": how the host runs a failed
// invocation again before it moves on. Azure supports it for timer, Event
// Hubs, Kafka and Cosmos DB triggers only; queues and Service Bus redeliver
// by themselves.
type RetryPolicy struct {
	Strategy        string `json:"strategy"`
	MaxRetryCount   int    `json:"maxRetryCount"`
	DelayInterval   string `json:"delayInterval,omitempty"`
	MinimumInterval string `json:"minimumInterval,omitempty"`
	MaximumInterval string `json:"maximumInterval,omitempty"`
}

// retrySettings are the settings RetryOf reads; triggerBinding skips them.
var retrySettings = map[string]bool{SettingRetry: true, SettingMaxRetryCount: true, SettingDelayInterval: true,
	SettingMinimumInterval: true, SettingMaximumInterval: true}

// retryDefault reports whether a trigger binding gets a retry policy by
// default: the checkpointed streams (Event Hubs, Kafka, Cosmos DB), which
// move past a failed batch unless the host retries it.
func retryDefault(typ string) bool {
	return typ == TypeEventHub || typ == TypeKafka || typ == TypeCosmosDB
}

// retrySupported reports whether Azure honours a retry policy on a
// trigger binding of type typ.
func retrySupported(typ string) bool { return retryDefault(typ) || typ == TypeTimer }

// RetryOf returns the retry policy of f's function.json, or nil for none.
// Stream triggers get exponential backoff from 5 s to 15 min, retried until
// the batch succeeds, unless the trigger's settings say otherwise; a timer
// gets one only when asked. The error names the function and the setting
// at fault.
func RetryOf(f *core.Function) (*RetryPolicy, error) {
	b, err := TriggerBinding(f)
	if err != nil || len(f.Triggers) != 1 {
		return nil, err
	}
	p, err := retryPolicy(b.Type, f.Triggers[0].Settings(Provider))
	if err != nil {
		return nil, fmt.Errorf("azure: function %q: %w", f.Name, err)
	}
	return p, nil
}

func retryPolicy(typ string, s map[string]string) (*RetryPolicy, error) {
	asked := false
	for k := range s {
		asked = asked || retrySettings[k]
	}
	strategy := s[SettingRetry]
	switch {
	case strings.EqualFold(strategy, "none"):
		return nil, nil
	case !asked && !retryDefault(typ):
		return nil, nil
	case !retrySupported(typ):
		return nil, fmt.Errorf("azure/%s: Azure supports retry policies on timer, Event Hubs, Kafka and Cosmos DB triggers only, not %s (queues and Service Bus redeliver by themselves)", SettingRetry, typ)
	}
	p := &RetryPolicy{MaxRetryCount: -1}
	switch {
	case strategy == "" || strings.EqualFold(strategy, RetryExponentialBackoff):
		p.Strategy = RetryExponentialBackoff
		p.MinimumInterval = or(s[SettingMinimumInterval], DefaultMinimumInterval)
		p.MaximumInterval = or(s[SettingMaximumInterval], DefaultMaximumInterval)
	case strings.EqualFold(strategy, RetryFixedDelay):
		p.Strategy = RetryFixedDelay
		p.DelayInterval = or(s[SettingDelayInterval], DefaultDelayInterval)
	default:
		return nil, fmt.Errorf("azure/%s=%q is not %s, %s or none", SettingRetry, strategy, RetryExponentialBackoff, RetryFixedDelay)
	}
	if v := s[SettingMaxRetryCount]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < -1 {
			return nil, fmt.Errorf("azure/%s=%q is not -1 (forever) or a count of retries", SettingMaxRetryCount, v)
		}
		p.MaxRetryCount = n
	}
	for key, v := range map[string]string{SettingDelayInterval: p.DelayInterval, SettingMinimumInterval: p.MinimumInterval, SettingMaximumInterval: p.MaximumInterval} {
		if v == "" {
			continue
		}
		if d, err := ParseTimeSpan(v); err != nil || d <= 0 {
			return nil, fmt.Errorf("azure/%s=%q is not a positive time span such as 00:00:10", key, v)
		}
	}
	if p.Strategy == RetryExponentialBackoff {
		lo, _ := ParseTimeSpan(p.MinimumInterval)
		hi, _ := ParseTimeSpan(p.MaximumInterval)
		if lo > hi {
			return nil, fmt.Errorf("azure/%s=%q is above %s=%q", SettingMinimumInterval, p.MinimumInterval, SettingMaximumInterval, p.MaximumInterval)
		}
	}
	return p, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
