package funcapp

import (
	"fmt"
	"sort"
	"strings"

	"github.com/polyfn/polyfn/core"
)

// An AppSetting is one app setting of the function app, in the shape `az
// functionapp config appsettings list` prints and `az functionapp config
// appsettings set --settings @FILE` reads.
type AppSetting struct {
	Name        string `json:"name"`
	Value       string `json:"value"`
	SlotSetting bool   `json:"slotSetting"`
}

// VaultParameter is the parameter (an environment variable of the
// generated configure.sh) naming the Key Vault that holds the app's
// secrets; Key Vault references in appsettings.json spell it
// ${KEY_VAULT_NAME}.
const VaultParameter = "KEY_VAULT_NAME"

// StorageSetting is the storage connection every function app has; `az
// functionapp create` sets it, so the generated app settings leave it out.
const StorageSetting = "AzureWebJobsStorage"

// Placeholder is how appsettings.json spells parameter name, which
// configure.sh replaces with the parameter's value: "${NAME}".
func Placeholder(name string) string { return "${" + name + "}" }

// SecretName is the Key Vault secret that holds setting name: Key Vault
// names take letters, digits and '-', so '_' becomes '-' (SHOP_API_KEY →
// SHOP-API-KEY).
func SecretName(name string) string { return strings.ReplaceAll(name, "_", "-") }

// KeyVaultReference is the app setting value that makes the platform read
// setting name from the vault named by the KEY_VAULT_NAME parameter, at
// its latest version: "@Microsoft.KeyVault(SecretUri=https://${KEY_VAULT_NAME}.vault.azure.net/secrets/NAME/)".
func KeyVaultReference(name string) string {
	return "@Microsoft.KeyVault(SecretUri=https://" + Placeholder(VaultParameter) + ".vault.azure.net/secrets/" + SecretName(name) + "/)"
}

// A Parameter is a value configure.sh needs from its environment.
type Parameter struct {
	Name        string
	Description string
}

// Settings are the app settings of a function app and what applying them
// needs.
type Settings struct {
	// App are the settings, in order: FUNCTIONS_WORKER_RUNTIME, the
	// schedules' WEBSITE_TIME_ZONE, the App's declared settings in
	// declaration order, then the settings the bindings name, sorted.
	App []AppSetting
	// Parameters are the values the settings hold as placeholders: the
	// vault, and every required plain setting without a default.
	Parameters []Parameter
	// Secrets are the settings that are Key Vault references: the declared
	// secrets and the bindings' connections, with what each is for.
	Secrets []Parameter
	// TimeZone is the schedules' IANA time zone, or "".
	TimeZone string
}

// AppSettings returns the function app's settings: every setting the App
// declares — a secret as a Key Vault reference (KeyVaultReference), a
// plain value as its default, a required plain value without one as a
// parameter placeholder —, WEBSITE_TIME_ZONE for the schedules, the URLs
// and service settings of the resources the functions use (see
// resourceSettings), and every
// connection or %SETTING% the bindings name, as Key Vault references (they
// hold connection strings and credentials). No value of a secret is ever
// written. The error names a function whose trigger has no binding, or
// schedules in more than one time zone.
func AppSettings(app *core.App) (Settings, error) {
	s := Settings{App: []AppSetting{{Name: "FUNCTIONS_WORKER_RUNTIME", Value: "custom"}}}
	zone, err := timeZone(app)
	if err != nil {
		return s, err
	}
	if zone != "" {
		s.TimeZone = zone
		s.App = append(s.App, AppSetting{Name: "WEBSITE_TIME_ZONE", Value: zone})
	}
	taken := map[string]bool{}
	for _, d := range app.Settings() {
		taken[strings.ToLower(d.Name)] = true
		v := d.Default
		switch {
		case d.Secret:
			v = KeyVaultReference(d.Name)
			s.Secrets = append(s.Secrets, Parameter{Name: d.Name, Description: d.Description})
		case d.Required:
			v = Placeholder(d.Name)
			s.Parameters = append(s.Parameters, Parameter{Name: d.Name, Description: d.Description})
		}
		s.App = append(s.App, AppSetting{Name: d.Name, Value: v})
	}
	res, err := planResources(app)
	if err != nil {
		return s, err
	}
	if err := res.resourceSettings(&s, taken); err != nil {
		return s, err
	}
	names, err := bindingSettings(app)
	if err != nil {
		return s, err
	}
	for _, n := range names {
		if taken[strings.ToLower(n)] {
			continue
		}
		s.App = append(s.App, AppSetting{Name: n, Value: KeyVaultReference(n)})
		s.Secrets = append(s.Secrets, Parameter{Name: n, Description: "named by a trigger or output binding"})
	}
	if len(s.Secrets) > 0 {
		s.Parameters = append([]Parameter{{Name: VaultParameter, Description: "the Key Vault that holds the secrets"}}, s.Parameters...)
	}
	return s, nil
}

// timeZone returns the one time zone the app's schedules use, "" for UTC.
func timeZone(app *core.App) (string, error) {
	zones := map[string]bool{}
	for _, f := range app.Functions() {
		for _, t := range f.Triggers {
			if t.Kind == core.TriggerSchedule && t.TimeZone != "" && t.TimeZone != "UTC" {
				zones[t.TimeZone] = true
			}
		}
	}
	if len(zones) > 1 {
		return "", fmt.Errorf("azure: schedules use %d time zones; a function app has one (WEBSITE_TIME_ZONE)", len(zones))
	}
	for z := range zones {
		return z, nil
	}
	return "", nil
}

// bindingSettings returns, sorted, the app settings the functions'
// bindings name: connections (but AzureWebJobsStorage) and %NAME%
// references in any string property.
func bindingSettings(app *core.App) ([]string, error) {
	seen := map[string]bool{}
	for _, f := range app.Functions() {
		if len(f.Triggers) == 0 {
			continue
		}
		cfg, err := Function(f)
		if err != nil {
			return nil, err
		}
		for _, b := range cfg.Bindings {
			if c := b.Prop("connection"); c != "" && c != StorageSetting {
				seen[c] = true
			}
			for _, v := range b.Props {
				if s, ok := v.(string); ok && len(s) > 2 && strings.HasPrefix(s, "%") && strings.HasSuffix(s, "%") && !strings.Contains(s[1:len(s)-1], "%") {
					seen[s[1:len(s)-1]] = true
				}
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}
