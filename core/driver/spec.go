package driver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/polyfn/polyfn/core"
)

// ErrDeclarationOnly is what the functions of an App built by ParseSpec
// return: they hold declarations, not code.
var ErrDeclarationOnly = errors.New("polyfn: this function was read from a spec and has no code")

// ParseSpec rebuilds an App from what core.App.MarshalJSON wrote: the same
// functions, triggers, knobs and declared settings, validated as at
// registration, with handlers that fail with ErrDeclarationOnly and no
// lifecycle hooks. Build tools use it to generate manifests.
func ParseSpec(spec []byte) (*core.App, error) {
	var in struct {
		Functions []struct {
			Name             string            `json:"name"`
			Kind             core.FunctionKind `json:"kind"`
			Triggers         []core.Trigger    `json:"triggers"`
			Timeout          string            `json:"timeout"`
			BatchConcurrency int               `json:"batchConcurrency"`
			Deploy           core.Deployment   `json:"deploy"`
			Uses             []core.Use        `json:"uses"`
		} `json:"functions"`
		Settings []core.Setting `json:"settings"`
	}
	if err := json.Unmarshal(spec, &in); err != nil {
		return nil, fmt.Errorf("polyfn: app spec: %w", err)
	}
	app := core.NewApp()
	for _, s := range in.Settings {
		if err := app.Setting(s.Name, settingOptions(s)...); err != nil {
			return nil, fmt.Errorf("polyfn: app spec: %w", err)
		}
	}
	for _, fj := range in.Functions {
		opts := make([]core.FunctionOption, 0, len(fj.Triggers)+2)
		for _, t := range fj.Triggers {
			opts = append(opts, t)
		}
		if fj.Timeout != "" {
			d, err := time.ParseDuration(fj.Timeout)
			if err != nil {
				return nil, fmt.Errorf("polyfn: app spec: function %q: timeout: %w", fj.Name, err)
			}
			opts = append(opts, core.WithTimeout(d))
		}
		opts = append(opts, core.WithBatchConcurrency(fj.BatchConcurrency), core.WithMemory(fj.Deploy.MemoryMB),
			core.WithArchitecture(fj.Deploy.Architecture), core.WithInstances(fj.Deploy.MinInstances, fj.Deploy.MaxInstances),
			core.WithRollout(fj.Deploy.Rollout))
		if fj.Deploy.Public {
			opts = append(opts, core.Public())
		}
		for _, u := range fj.Uses {
			opts = append(opts, core.Uses(u.Resource, u.Access...))
		}
		var err error
		switch fj.Kind {
		case core.EventFunction:
			err = app.Event(fj.Name, func(context.Context, core.Event) (*core.Event, error) { return nil, ErrDeclarationOnly }, opts...)
		case core.HTTPFunction:
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

// settingOptions returns the options that declare s again.
func settingOptions(s core.Setting) []core.SettingOption {
	opts := []core.SettingOption{core.Describe(s.Description)}
	if s.Secret {
		opts = append(opts, core.Secret())
	}
	if !s.Required {
		opts = append(opts, core.Default(s.Default))
	}
	return opts
}
