package azure

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/polyfn/polyfn/core"
)

// BundleVersion is the extension bundle range the generated host.json asks
// for. Bundle 4 changed payloads (Cosmos DB documents double-encoded); the
// decoders read both 3 and 4.
const BundleVersion = "[4.*, 5.0.0)"

// HostOptions configures the generated host.json.
type HostOptions struct {
	// Executable is the handler binary's path relative to the function app
	// root. The default is "handler".
	Executable string
	// Proxy asks hosts that support it (azure-functions-host PR #11035,
	// 2025) to proxy HTTP-only apps with enableProxyingHttpRequest, which
	// streams responses, instead of forwarding them buffered. Older hosts
	// ignore it and forward. The default is off.
	Proxy bool
}

// HostConfig is the content of host.json, with the members polyfn writes.
type HostConfig struct {
	Version         string             `json:"version"`
	FunctionTimeout string             `json:"functionTimeout,omitempty"`
	Logging         *HostLogging       `json:"logging,omitempty"`
	ExtensionBundle ExtensionBundleRef `json:"extensionBundle"`
	Extensions      HostExtensions     `json:"extensions"`
	CustomHandler   CustomHandler      `json:"customHandler"`
}

// HostLogging is host.json's "logging".
type HostLogging struct {
	LogLevel map[string]string `json:"logLevel"`
}

// ExtensionBundleRef is host.json's "extensionBundle".
type ExtensionBundleRef struct {
	ID      string `json:"id"`
	Version string `json:"version"`
}

// HostExtensions is host.json's "extensions".
type HostExtensions struct {
	HTTP HTTPExtension `json:"http"`
}

// HTTPExtension is host.json's "extensions.http".
type HTTPExtension struct {
	// RoutePrefix is "" so that an HTTP function is reached at the route it
	// declares, the same URL path on every provider.
	RoutePrefix string `json:"routePrefix"`
}

// CustomHandler is host.json's "customHandler".
type CustomHandler struct {
	Description                 CustomHandlerDescription `json:"description"`
	EnableForwardingHTTPRequest bool                     `json:"enableForwardingHttpRequest"`
	EnableProxyingHTTPRequest   bool                     `json:"enableProxyingHttpRequest,omitempty"`
}

// CustomHandlerDescription is host.json's "customHandler.description".
type CustomHandlerDescription struct {
	DefaultExecutablePath string   `json:"defaultExecutablePath"`
	WorkingDirectory      string   `json:"workingDirectory"`
	Arguments             []string `json:"arguments"`
}

// Forwarding reports whether the host should forward raw HTTP requests to
// the handler: true when every function of app is an HTTP function (the
// host forwards only functions whose sole bindings are httpTrigger and
// http). The adapter uses the same rule to decide how it serves.
func Forwarding(app *core.App) bool {
	fs := app.Functions()
	if len(fs) == 0 {
		return false
	}
	for _, f := range fs {
		if f.Kind != core.HTTPFunction {
			return false
		}
	}
	return true
}

// Host returns app's host.json. functionTimeout is the longest timeout the
// functions declare (the host has one per app), omitted when none does.
func Host(app *core.App, opts HostOptions) HostConfig {
	exe := opts.Executable
	if exe == "" {
		exe = "handler"
	}
	var longest time.Duration
	for _, f := range app.Functions() {
		longest = max(longest, f.Timeout)
	}
	h := HostConfig{
		Version:         "2.0",
		Logging:         &HostLogging{LogLevel: map[string]string{"default": "Information"}},
		ExtensionBundle: ExtensionBundleRef{ID: "Microsoft.Azure.Functions.ExtensionBundle", Version: BundleVersion},
		Extensions:      HostExtensions{HTTP: HTTPExtension{RoutePrefix: ""}},
		CustomHandler: CustomHandler{
			Description:                 CustomHandlerDescription{DefaultExecutablePath: exe, Arguments: []string{}},
			EnableForwardingHTTPRequest: Forwarding(app),
			EnableProxyingHTTPRequest:   opts.Proxy && Forwarding(app),
		},
	}
	if longest > 0 {
		h.FunctionTimeout = FormatTimeSpan(longest)
	}
	return h
}

// FormatTimeSpan formats d as a .NET TimeSpan ("00:05:00", "1.02:00:00"),
// rounded up to whole seconds.
func FormatTimeSpan(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	days, s := s/86400, s%86400
	hms := fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
	if days > 0 {
		return fmt.Sprintf("%d.%s", days, hms)
	}
	return hms
}

// ParseTimeSpan parses a .NET TimeSpan as host.json's functionTimeout holds
// it ("00:05:00", "1.02:00:00"); "-1" means unbounded and gives 0.
func ParseTimeSpan(s string) (time.Duration, error) {
	if s == "-1" || s == "" {
		return 0, nil
	}
	var days, h, m int64
	var sec float64
	if _, err := fmt.Sscanf(s, "%d.%d:%d:%g", &days, &h, &m, &sec); err != nil {
		days = 0
		if _, err := fmt.Sscanf(s, "%d:%d:%g", &h, &m, &sec); err != nil {
			return 0, fmt.Errorf("azure: time span %q is not [d.]hh:mm:ss", s)
		}
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec*float64(time.Second))
	if d < 0 {
		return 0, fmt.Errorf("azure: time span %q is negative", s)
	}
	return d, nil
}

// LocalSettings returns local.settings.json for running the app with
// `func start`: FUNCTIONS_WORKER_RUNTIME=custom, Azurite storage, and an empty
// value for every other connection setting the bindings name, to fill in.
func LocalSettings(app *core.App) (map[string]any, error) {
	values := map[string]string{
		"FUNCTIONS_WORKER_RUNTIME": "custom",
		"AzureWebJobsStorage":      "UseDevelopmentStorage=true",
	}
	zones := map[string]bool{}
	for _, f := range app.Functions() {
		for _, t := range f.Triggers {
			if t.Kind == core.TriggerSchedule && t.TimeZone != "" && t.TimeZone != "UTC" {
				zones[t.TimeZone] = true
			}
		}
		if len(f.Triggers) == 0 {
			continue
		}
		cfg, err := Function(f)
		if err != nil {
			return nil, err
		}
		for _, b := range cfg.Bindings {
			if c := b.Prop("connection"); c != "" {
				if _, ok := values[c]; !ok {
					values[c] = ""
				}
			}
		}
	}
	if len(zones) > 1 {
		return nil, fmt.Errorf("azure: schedules use %d time zones; a function app has one (WEBSITE_TIME_ZONE)", len(zones))
	}
	for z := range zones {
		values["WEBSITE_TIME_ZONE"] = z
	}
	return map[string]any{"IsEncrypted": false, "Values": values}, nil
}

// Files returns the function app's generated files, keyed by path relative
// to the app root: host.json, local.settings.json and {name}/function.json
// for every function (see Function for functions without a trigger). The
// error names the first function whose trigger has no Azure binding. Files
// are indented JSON ending in a newline.
func Files(app *core.App, opts HostOptions) (map[string][]byte, error) {
	out := map[string][]byte{}
	put := func(name string, v any) error {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("azure: %s: %w", name, err)
		}
		out[name] = append(b, '\n')
		return nil
	}
	if err := put("host.json", Host(app, opts)); err != nil {
		return nil, err
	}
	ls, err := LocalSettings(app)
	if err != nil {
		return nil, err
	}
	if err := put("local.settings.json", ls); err != nil {
		return nil, err
	}
	for _, f := range app.Functions() {
		cfg, err := Function(f)
		if err != nil {
			return nil, err
		}
		if err := put(f.Name+"/function.json", cfg); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FileNames returns the keys of files sorted, for deterministic output.
func FileNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for k := range files {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
