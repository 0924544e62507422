package core

import (
	"errors"
	"fmt"
	"strings"
)

// A Setting declares one configuration value of an App: a name, whether
// the value is a secret, whether start-up needs it, and its default. The
// App's spec and the manifests carry declarations, never values: each cloud
// gets the value from the environment of the deployed function (a SAM
// parameter or a Secrets Manager reference, an Azure app setting or a Key
// Vault reference, a Cloud Functions environment variable or Secret
// Manager secret). Start hooks read the values through Config.
type Setting struct {
	// Name is the setting's name, the environment variable the adapters
	// read it from: letters, digits and '_', not starting with a digit.
	Name string
	// Secret marks a value that manifests take from a secret store and
	// never write; a secret has no default.
	Secret bool
	// Required is true when start-up fails without a value: a setting is
	// required unless it has a default (Default) or is Optional.
	Required bool
	// Default is the value used when the environment holds none.
	Default string
	// Description says what the setting is for; manifests carry it.
	Description string
}

// A SettingOption configures a Setting at declaration: Secret, Default,
// Optional or Describe.
type SettingOption interface{ applySetting(*Setting) }

type settingOptionFunc func(*Setting)

func (o settingOptionFunc) applySetting(s *Setting) { o(s) }

// Secret marks the setting as a secret: manifests refer to a secret store
// for its value, and a secret may not have a default.
func Secret() SettingOption { return settingOptionFunc(func(s *Setting) { s.Secret = true }) }

// Default gives the setting a default value, used when the environment
// holds none or holds an empty value; a setting with a default is not
// required.
func Default(v string) SettingOption {
	return settingOptionFunc(func(s *Setting) { s.Default, s.Required = v, false })
}

// Optional makes the setting not required, with an empty default.
func Optional() SettingOption { return settingOptionFunc(func(s *Setting) { s.Required = false }) }

// Describe sets the setting's description, which manifests carry (a SAM
// parameter's Description, a comment in the Azure and Google scripts).
func Describe(text string) SettingOption {
	return settingOptionFunc(func(s *Setting) { s.Description = text })
}

// ErrInvalidSetting is wrapped by every error of App.Setting.
var ErrInvalidSetting = errors.New("invalid setting")

// Setting declares a configuration value of the App, by default a required
// plain value. It returns an error wrapping ErrInvalidSetting that names
// the problem when name is not an environment variable name, is reserved
// by a cloud (AWS_, FUNCTIONS_, WEBSITE_, PORT, ...) or by polyfn
// (POLYFN_), is declared already, or when a secret has a default. Declare
// settings before handing the App to an adapter.
//
//	core.Must(app.Setting("SHOP_API_KEY", core.Secret(), core.Describe("key callers send in X-Api-Key")))
func (a *App) Setting(name string, opts ...SettingOption) error {
	s := Setting{Name: name, Required: true}
	for _, o := range opts {
		if o != nil {
			o.applySetting(&s)
		}
	}
	if err := a.checkSetting(s); err != nil {
		return fmt.Errorf("polyfn: setting %q: %w: %w", name, ErrInvalidSetting, err)
	}
	a.life.mu.Lock()
	defer a.life.mu.Unlock()
	a.life.settings = append(a.life.settings, s)
	return nil
}

func (a *App) checkSetting(s Setting) error {
	if !validEnvName(s.Name) {
		return errors.New("a name is letters, digits and '_', not starting with a digit")
	}
	if r := reservedName(s.Name); r != "" {
		return fmt.Errorf("the name is reserved (%s)", r)
	}
	if s.Secret && s.Default != "" {
		return errors.New("a secret has no default: the spec and the manifests would carry its value")
	}
	for _, have := range a.Settings() {
		if strings.EqualFold(have.Name, s.Name) {
			return fmt.Errorf("already declared as %q", have.Name)
		}
	}
	return nil
}

// Settings returns the App's declared settings in declaration order.
func (a *App) Settings() []Setting {
	a.life.mu.Lock()
	defer a.life.mu.Unlock()
	return append([]Setting(nil), a.life.settings...)
}

func validEnvName(name string) bool {
	if name == "" || len(name) > 128 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// reserved are the names and prefixes the platforms (or polyfn) set
// themselves, upper-cased: a setting must not take them.
var reserved = []struct{ prefix, who string }{
	{"POLYFN_", "polyfn"},
	{"AWS_", "AWS Lambda"}, {"LAMBDA_", "AWS Lambda"}, {"_HANDLER", "AWS Lambda"}, {"_X_AMZN_", "AWS Lambda"},
	{"FUNCTIONS_", "Azure Functions"}, {"WEBSITE_", "Azure Functions"}, {"AZUREWEBJOBS", "Azure Functions"},
	{"X_GOOGLE_", "Google Cloud"}, {"GOOGLE_FUNCTION_", "Google Cloud"}, {"FUNCTION_TARGET", "Google Cloud"},
	{"K_SERVICE", "Cloud Run"}, {"K_REVISION", "Cloud Run"}, {"K_CONFIGURATION", "Cloud Run"},
}

// reservedExact are reserved names that are not prefixes.
var reservedExact = map[string]string{"PORT": "every HTTP platform", "TZ": "AWS Lambda", "PATH": "the process", "HOME": "the process"}

func reservedName(name string) string {
	up := strings.ToUpper(name)
	if who, ok := reservedExact[up]; ok {
		return "set by " + who
	}
	for _, r := range reserved {
		if strings.HasPrefix(up, r.prefix) {
			return r.prefix + " is set by " + r.who
		}
	}
	return ""
}

// Config holds the values of an App's declared settings, resolved when the
// App starts (App.Start): the environment's value, else the default. Start
// hooks receive it. A Config is safe for concurrent reads.
type Config struct {
	values map[string]string
}

// Get returns the value of the declared setting name: the environment's,
// or the default. It panics when the App declares no such setting, so that
// a misspelled name fails at start-up (App.Start reports the panic as the
// hook's error) instead of reading an empty value.
func (c Config) Get(name string) string {
	v, ok := c.values[name]
	if !ok {
		panic(fmt.Sprintf("core: Config.Get(%q): the App declares no such setting (App.Setting)", name))
	}
	return v
}

// Lookup returns the value of setting name and whether the App declares
// it; it never panics.
func (c Config) Lookup(name string) (string, bool) {
	v, ok := c.values[name]
	return v, ok
}

// ErrMissingSetting is wrapped by the error of App.Start when a required
// setting has no value.
var ErrMissingSetting = errors.New("required setting not set")

// resolve returns the Config of settings with the values lookup finds. An
// empty value counts as unset. The error wraps ErrMissingSetting and names
// every required setting without a value, with its description.
func resolve(settings []Setting, lookup func(string) (string, bool)) (Config, error) {
	c := Config{values: make(map[string]string, len(settings))}
	var missing []string
	for _, s := range settings {
		v, ok := "", false
		if lookup != nil {
			v, ok = lookup(s.Name)
		}
		if !ok || v == "" {
			if s.Required {
				missing = append(missing, describeMissing(s))
				continue
			}
			v = s.Default
		}
		c.values[s.Name] = v
	}
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("polyfn: %w: %s", ErrMissingSetting, strings.Join(missing, "; "))
	}
	return c, nil
}

func describeMissing(s Setting) string {
	what := s.Name
	if s.Secret {
		what += " (secret)"
	}
	if s.Description != "" {
		what += ": " + s.Description
	}
	return what
}
