// Package funcapp writes the function app of an App for Azure Functions:
// host.json, local.settings.json, one {function}/function.json per
// function, and the deployed app's settings (appsettings.json: declared
// settings, secrets as Key Vault references, the schedules' time zone, the
// URLs of the resources the functions use) with configure.sh, the
// re-runnable script that applies them and the scale knobs, and
// resources.bicep, which creates those resources and grants the app's
// identity its rights on them, as data (Files) that a build tool saves
// next to the handler binary. It is build-time code: handler binaries do not link it. The
// mapping of trigger declarations to bindings is providers/azure's
// (TriggerBinding), which the adapter decodes invocations with.
package funcapp

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/providers/azure"
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

// Host returns app's host.json. functionTimeout is the longest timeout the
// functions declare (the host has one per app), omitted when none does.
// Forwarding is on when every function is an HTTP function (see
// azure.Forwarding).
func Host(app *core.App, opts HostOptions) HostConfig {
	exe := opts.Executable
	if exe == "" {
		exe = "handler"
	}
	var longest time.Duration
	for _, f := range app.Functions() {
		longest = max(longest, f.Timeout)
	}
	fwd := azure.Forwarding(app)
	h := HostConfig{
		Version:         "2.0",
		Logging:         &HostLogging{LogLevel: map[string]string{"default": "Information"}},
		ExtensionBundle: ExtensionBundleRef{ID: "Microsoft.Azure.Functions.ExtensionBundle", Version: BundleVersion},
		Extensions:      HostExtensions{HTTP: HTTPExtension{RoutePrefix: ""}},
		CustomHandler: CustomHandler{
			Description:                 CustomHandlerDescription{DefaultExecutablePath: exe, Arguments: []string{}},
			EnableForwardingHTTPRequest: fwd,
			EnableProxyingHTTPRequest:   opts.Proxy && fwd,
		},
	}
	if longest > 0 {
		h.FunctionTimeout = FormatTimeSpan(longest)
	}
	return h
}

// FormatTimeSpan formats d as a .NET TimeSpan ("00:05:00", "1.02:00:00"),
// rounded up to whole seconds; azure.ParseTimeSpan reads it back.
func FormatTimeSpan(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	days, s := s/86400, s%86400
	hms := fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
	if days > 0 {
		return fmt.Sprintf("%d.%s", days, hms)
	}
	return hms
}

// Function returns f's function.json: its trigger binding (see
// azure.TriggerBinding), an "http" output named "res" for HTTP triggers,
// a $return output when the trigger sets azure.SettingOutput, and its
// retry policy (see azure.RetryOf: stream triggers retry a failed batch by
// default). An HTTP trigger's authLevel follows the App's declaration:
// "anonymous" for a core.Public function, "function" (a function key)
// otherwise; an explicit azure authLevel setting on the trigger wins. The
// error names the function and the setting at fault.
func Function(f *core.Function) (azure.FunctionConfig, error) {
	in, err := azure.TriggerBinding(f)
	if err != nil {
		return azure.FunctionConfig{}, err
	}
	if in.Type == azure.TypeHTTP && f.Deploy.Public && (len(f.Triggers) == 0 || f.Triggers[0].Setting(azure.Provider, "authLevel") == "") {
		in.Props["authLevel"] = "anonymous"
	}
	retry, err := azure.RetryOf(f)
	if err != nil {
		return azure.FunctionConfig{}, err
	}
	cfg := azure.FunctionConfig{Bindings: []azure.Binding{in}, Retry: retry}
	if in.Type == azure.TypeHTTP {
		cfg.Bindings = append(cfg.Bindings, azure.Binding{Type: "http", Direction: "out", Name: azure.HTTPOutputName})
	}
	if len(f.Triggers) == 1 {
		t := f.Triggers[0]
		if out := t.Setting(azure.Provider, azure.SettingOutput); out != "" {
			b, err := outputBinding(out, t.Setting(azure.Provider, azure.SettingOutputConnection))
			if err != nil {
				return azure.FunctionConfig{}, fmt.Errorf("azure: function %q: %w", f.Name, err)
			}
			cfg.Bindings = append(cfg.Bindings, b)
		}
	}
	return cfg, nil
}

// outputBinding returns the $return output binding of an output setting:
// "queue:NAME", "serviceBus:NAME" or "eventHub:NAME".
func outputBinding(spec, conn string) (azure.Binding, error) {
	kind, target, ok := strings.Cut(spec, ":")
	if !ok || target == "" {
		return azure.Binding{}, fmt.Errorf("output %q: want queue:NAME, serviceBus:NAME or eventHub:NAME", spec)
	}
	b := azure.Binding{Direction: "out", Name: "$return", Props: map[string]any{}}
	switch strings.ToLower(kind) {
	case "queue":
		b.Type, b.Props["queueName"], b.Props["connection"] = "queue", target, "AzureWebJobsStorage"
	case "servicebus":
		b.Type, b.Props["queueName"], b.Props["connection"] = "serviceBus", target, "ServiceBusConnection"
	case "eventhub":
		b.Type, b.Props["eventHubName"], b.Props["connection"] = "eventHub", target, "EventHubConnection"
	default:
		return azure.Binding{}, fmt.Errorf("output %q: kind %q is not queue, serviceBus or eventHub", spec, kind)
	}
	if conn != "" {
		b.Props["connection"] = conn
	}
	return b, nil
}

// LocalSettings returns local.settings.json for running the app with
// `func start`: FUNCTIONS_WORKER_RUNTIME=custom, Azurite storage, the
// schedules' WEBSITE_TIME_ZONE, the declared settings with their defaults,
// and an empty value to fill in for every secret and every connection the
// bindings name. The deployed app gets its settings from appsettings.json
// (see AppSettings), which the deploy zip does not need to carry.
func LocalSettings(app *core.App) (map[string]any, error) {
	s, err := AppSettings(app)
	if err != nil {
		return nil, err
	}
	values := map[string]string{StorageSetting: "UseDevelopmentStorage=true"}
	for _, a := range s.App {
		v := a.Value
		if strings.Contains(v, "${") {
			v = "" // a secret or a parameter: to fill in
		}
		values[a.Name] = v
	}
	return map[string]any{"IsEncrypted": false, "Values": values}, nil
}

// Files returns the function app's generated files, keyed by path relative
// to the app root: host.json, local.settings.json, {name}/function.json
// for every function (see Function for functions without a trigger),
// appsettings.json (see AppSettings), configure.sh, the re-runnable
// script that applies them and the scale knobs (see Script), and
// resources.bicep when the functions use resources (see Bicep). The error
// names the first function whose trigger has no Azure binding. The JSON
// files are indented and end in a newline.
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
	settings, err := AppSettings(app)
	if err != nil {
		return nil, err
	}
	if err := put(SettingsFile, settings.App); err != nil {
		return nil, err
	}
	out[ScriptFile] = Script(app, settings)
	bicep, err := Bicep(app)
	if err != nil {
		return nil, err
	}
	if bicep != "" {
		out[ResourcesFile] = []byte(bicep)
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
