package core

import (
	"encoding/json"
	"fmt"
	"time"
)

// triggerJSON is the JSON form of a Trigger.
type triggerJSON struct {
	Kind         TriggerKind                  `json:"kind"`
	Route        string                       `json:"route,omitempty"`
	Methods      []string                     `json:"methods,omitempty"`
	Name         string                       `json:"name,omitempty"`
	Subscription string                       `json:"subscription,omitempty"`
	Cron         string                       `json:"cron,omitempty"`
	TimeZone     string                       `json:"timeZone,omitempty"`
	Events       []EventKind                  `json:"events,omitempty"`
	Type         string                       `json:"type,omitempty"`
	Source       string                       `json:"source,omitempty"`
	BatchSize    int                          `json:"batchSize,omitempty"`
	Settings     map[string]map[string]string `json:"settings,omitempty"`
}

// MarshalJSON encodes t with its provider settings.
func (t Trigger) MarshalJSON() ([]byte, error) {
	return json.Marshal(triggerJSON{
		Kind: t.Kind, Route: t.Route, Methods: t.Methods, Name: t.Name, Subscription: t.Subscription,
		Cron: t.Cron, TimeZone: t.TimeZone, Events: t.Events, Type: t.Type, Source: t.Source,
		BatchSize: t.BatchSize, Settings: t.overrides,
	})
}

// UnmarshalJSON decodes what MarshalJSON encodes.
func (t *Trigger) UnmarshalJSON(b []byte) error {
	var j triggerJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*t = Trigger{
		Kind: j.Kind, Route: j.Route, Methods: j.Methods, Name: j.Name, Subscription: j.Subscription,
		Cron: j.Cron, TimeZone: j.TimeZone, Events: j.Events, Type: j.Type, Source: j.Source,
		BatchSize: j.BatchSize, overrides: j.Settings,
	}
	return nil
}

// MarshalText returns "event" or "http".
func (k FunctionKind) MarshalText() ([]byte, error) {
	if k != EventFunction && k != HTTPFunction {
		return nil, fmt.Errorf("unknown function kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads "event" or "http".
func (k *FunctionKind) UnmarshalText(b []byte) error {
	switch string(b) {
	case "event":
		*k = EventFunction
	case "http":
		*k = HTTPFunction
	default:
		return fmt.Errorf("unknown function kind %q", b)
	}
	return nil
}

// functionJSON is the JSON form of a Function's declaration. ParseSpec in
// core/driver reads it back.
type functionJSON struct {
	Name             string       `json:"name"`
	Kind             FunctionKind `json:"kind"`
	Triggers         []Trigger    `json:"triggers,omitempty"`
	Timeout          string       `json:"timeout,omitempty"`
	BatchConcurrency int          `json:"batchConcurrency,omitempty"`
	Deploy           *Deployment  `json:"deploy,omitempty"`
	Uses             []Use        `json:"uses,omitempty"`
}

// deploymentJSON is the JSON form of a Deployment.
type deploymentJSON struct {
	MemoryMB     int          `json:"memoryMB,omitempty"`
	Architecture Architecture `json:"architecture,omitempty"`
	MinInstances int          `json:"minInstances,omitempty"`
	MaxInstances int          `json:"maxInstances,omitempty"`
	Rollout      *rolloutJSON `json:"rollout,omitempty"`
	Public       bool         `json:"public,omitempty"`
}

type rolloutJSON struct {
	Strategy RolloutStrategy `json:"strategy"`
	Percent  int             `json:"percent"`
	Interval string          `json:"interval"`
}

// MarshalJSON encodes the knobs that are set: memoryMB, architecture,
// minInstances, maxInstances, rollout {strategy, percent, interval} and
// public.
func (d Deployment) MarshalJSON() ([]byte, error) {
	j := deploymentJSON{MemoryMB: d.MemoryMB, Architecture: d.Architecture, MinInstances: d.MinInstances, MaxInstances: d.MaxInstances, Public: d.Public}
	if d.Rollout != (Rollout{}) {
		j.Rollout = &rolloutJSON{Strategy: d.Rollout.Strategy, Percent: d.Rollout.Percent, Interval: d.Rollout.Interval.String()}
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes what MarshalJSON encodes.
func (d *Deployment) UnmarshalJSON(b []byte) error {
	var j deploymentJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*d = Deployment{MemoryMB: j.MemoryMB, Architecture: j.Architecture, MinInstances: j.MinInstances, MaxInstances: j.MaxInstances, Public: j.Public}
	if r := j.Rollout; r != nil {
		iv, err := time.ParseDuration(r.Interval)
		if err != nil {
			return fmt.Errorf("rollout interval: %w", err)
		}
		d.Rollout = Rollout{Strategy: r.Strategy, Percent: r.Percent, Interval: iv}
	}
	return nil
}

// settingJSON is the JSON form of a Setting: its declaration, never a
// value (a secret has no default).
type settingJSON struct {
	Name        string `json:"name"`
	Secret      bool   `json:"secret,omitempty"`
	Required    bool   `json:"required,omitempty"`
	Default     string `json:"default,omitempty"`
	Description string `json:"description,omitempty"`
}

// MarshalJSON describes the App's functions, their triggers and knobs, and
// its declared settings (not their values, nor any code) as
// {"functions": [...], "settings": [...]}, for build tools and manifest
// generators.
func (a *App) MarshalJSON() ([]byte, error) {
	out := struct {
		Functions []functionJSON `json:"functions"`
		Settings  []settingJSON  `json:"settings,omitempty"`
	}{Functions: []functionJSON{}}
	for _, f := range a.funcs {
		fj := functionJSON{Name: f.Name, Kind: f.Kind, Triggers: f.Triggers, BatchConcurrency: f.BatchConcurrency, Uses: f.Uses}
		if f.Timeout > 0 {
			fj.Timeout = f.Timeout.String()
		}
		if f.Deploy != (Deployment{}) {
			d := f.Deploy
			fj.Deploy = &d
		}
		out.Functions = append(out.Functions, fj)
	}
	for _, s := range a.Settings() {
		out.Settings = append(out.Settings, settingJSON(s))
	}
	return json.Marshal(out)
}
