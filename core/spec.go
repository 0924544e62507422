package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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
	return json.Marshal(triggerJSON{t.Kind, t.Route, t.Methods, t.Name, t.Subscription, t.Cron, t.TimeZone,
		t.Events, t.Type, t.Source, t.BatchSize, t.overrides})
}

// UnmarshalJSON decodes what MarshalJSON encodes.
func (t *Trigger) UnmarshalJSON(b []byte) error {
	var j triggerJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*t = Trigger{j.Kind, j.Route, j.Methods, j.Name, j.Subscription, j.Cron, j.TimeZone, j.Events, j.Type, j.Source, j.BatchSize, j.Settings}
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

// functionJSON is the JSON form of a Function's declaration.
type functionJSON struct {
	Name             string       `json:"name"`
	Kind             FunctionKind `json:"kind"`
	Triggers         []Trigger    `json:"triggers,omitempty"`
	Timeout          string       `json:"timeout,omitempty"`
	BatchConcurrency int          `json:"batchConcurrency,omitempty"`
}

// MarshalJSON describes the App's functions and their triggers (not their
// code) as {"functions": [...]}, for build tools and manifest generators.
func (a *App) MarshalJSON() ([]byte, error) {
	out := struct {
		Functions []functionJSON `json:"functions"`
	}{Functions: []functionJSON{}}
	for _, f := range a.funcs {
		fj := functionJSON{Name: f.Name, Kind: f.Kind, Triggers: f.Triggers, BatchConcurrency: f.BatchConcurrency}
		if f.Timeout > 0 {
			fj.Timeout = f.Timeout.String()
		}
		out.Functions = append(out.Functions, fj)
	}
	return json.Marshal(out)
}

// ErrDeclarationOnly is what the functions of an App built by ParseSpec
// return: they hold declarations, not code.
var ErrDeclarationOnly = errors.New("polyfn: this function was read from a spec and has no code")

// ParseSpec rebuilds an App from what App.MarshalJSON wrote: the same
// functions and triggers, validated as at registration, with handlers that
// fail with ErrDeclarationOnly. Build tools use it to generate manifests.
func ParseSpec(spec []byte) (*App, error) {
	var in struct {
		Functions []functionJSON `json:"functions"`
	}
	if err := json.Unmarshal(spec, &in); err != nil {
		return nil, fmt.Errorf("polyfn: app spec: %w", err)
	}
	app := NewApp()
	for _, fj := range in.Functions {
		opts := make([]FunctionOption, 0, len(fj.Triggers)+2)
		for _, t := range fj.Triggers {
			opts = append(opts, t)
		}
		if fj.Timeout != "" {
			d, err := time.ParseDuration(fj.Timeout)
			if err != nil {
				return nil, fmt.Errorf("polyfn: app spec: function %q: timeout: %w", fj.Name, err)
			}
			opts = append(opts, WithTimeout(d))
		}
		opts = append(opts, WithBatchConcurrency(fj.BatchConcurrency))
		var err error
		switch fj.Kind {
		case EventFunction:
			err = app.Event(fj.Name, func(context.Context, Event) (*Event, error) { return nil, ErrDeclarationOnly }, opts...)
		case HTTPFunction:
			err = app.HTTP(fj.Name, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				http.Error(w, ErrDeclarationOnly.Error(), http.StatusNotImplemented)
			}), opts...)
		default:
			err = fmt.Errorf("polyfn: app spec: function %q has no kind", fj.Name)
		}
		if err != nil {
			return nil, err
		}
	}
	return app, nil
}
