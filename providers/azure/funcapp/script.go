package funcapp

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/providers/azure"
)

// The files Files writes besides host.json and function.json.
const (
	// SettingsFile holds the app settings (AppSettings.App).
	SettingsFile = "appsettings.json"
	// ScriptFile applies them and the scale knobs (Script).
	ScriptFile = "configure.sh"
)

// Script returns configure.sh: a bash script, safe to run again, that
// gives the function app FUNCTION_APP (in RESOURCE_GROUP) a managed
// identity allowed to read the Key Vault KEY_VAULT_NAME's secrets, applies
// appsettings.json (in its folder) with `az functionapp config appsettings
// set`, its placeholders replaced by the parameters' values, and maps the
// functions' knobs for the hosting plan PLAN (flex, the default, premium,
// consumption or dedicated; see docs/deploy.md), after deploying
// resources.bicep (in its folder) when the functions use resources, which
// creates them and grants the app's identity its rights. It lists the secrets to
// store in the vault and, for a function with a rollout, the deployment
// slot commands of a canary.
func Script(app *core.App, s Settings) []byte {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("#!/usr/bin/env bash")
	p("# Configures the function app: its app settings (%s, next to this", SettingsFile)
	p("# script) and its scale knobs. Written by polyfn; safe to run again.")
	p("#")
	p("# Parameters (environment variables):")
	p("#   FUNCTION_APP    the function app's name")
	p("#   RESOURCE_GROUP  its resource group")
	p("#   PLAN            flex (Flex Consumption, the default), premium (Elastic Premium),")
	p("#                   consumption or dedicated (App Service)")
	if s.TimeZone != "" {
		p("#   TIME_ZONE       optional: the Windows zone ID for %s on a Windows plan", s.TimeZone)
	}
	for _, x := range s.Parameters {
		p("#   %-15s %s", x.Name, oneLine(x.Description))
	}
	if len(s.Secrets) > 0 {
		p("#")
		p("# Secrets, read through Key Vault references: store each in the vault before")
		p("# the app starts (the app settings never hold their values):")
		for _, x := range s.Secrets {
			p("#   az keyvault secret set --vault-name \"$%s\" --name %s --value ...", VaultParameter, SecretName(x.Name))
			p("#     (%s: %s)", x.Name, oneLine(x.Description))
		}
	}
	p("set -euo pipefail")
	p(`: "${FUNCTION_APP:?set FUNCTION_APP to the function app's name}"`)
	p(`: "${RESOURCE_GROUP:?set RESOURCE_GROUP to the function app's resource group}"`)
	for _, x := range s.Parameters {
		p(`: "${%s:?set %s: %s}"`, x.Name, x.Name, shellSafe(x.Description))
	}
	p(`PLAN=${PLAN:-flex}`)
	p(`case "$PLAN" in flex | premium | consumption | dedicated) ;; *)`)
	p(`  echo "PLAN=$PLAN is not flex, premium, consumption or dedicated" >&2`)
	p(`  exit 2 ;;`)
	p(`esac`)
	p(`here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)`)
	p(`app=(--name "$FUNCTION_APP" --resource-group "$RESOURCE_GROUP")`)
	resources := len(app.Resources()) > 0
	if len(s.Secrets) == 0 && resources {
		p("")
		p(`principal=$(az functionapp identity assign "${app[@]}" --query principalId --output tsv)`)
	}
	if len(s.Secrets) > 0 {
		p("")
		p("# Key Vault references resolve with the app's managed identity, which must")
		p("# read the vault's secrets (a vault using Azure RBAC; with access policies run")
		p(`# az keyvault set-policy --name "$KEY_VAULT_NAME" --object-id "$principal" --secret-permissions get).`)
		p(`principal=$(az functionapp identity assign "${app[@]}" --query principalId --output tsv)`)
		p(`vault=$(az keyvault show --name "$KEY_VAULT_NAME" --query id --output tsv)`)
		p(`if [ -z "$(az role assignment list --assignee "$principal" --role "Key Vault Secrets User" --scope "$vault" --query '[0].id' --output tsv)" ]; then`)
		p(`  az role assignment create --assignee-object-id "$principal" --assignee-principal-type ServicePrincipal \`)
		p(`    --role "Key Vault Secrets User" --scope "$vault" --output none`)
		p(`fi`)
	}
	if resources {
		writeDeployResources(p, s)
	}
	p("")
	p("# The app settings, with the parameters in place of their placeholders.")
	p(`json() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '%%s' "$s"; }`)
	p(`settings=$(<"$here/%s")`, SettingsFile)
	for _, x := range s.Parameters {
		p(`settings=${settings//'%s'/"$(json "$%s")"}`, Placeholder(x.Name), x.Name)
	}
	p(`tmp=$(mktemp)`)
	p(`trap 'rm -f "$tmp"' EXIT`)
	p(`printf '%%s\n' "$settings" >"$tmp"`)
	p(`az functionapp config appsettings set "${app[@]}" --settings "@$tmp" --output none`)
	if s.TimeZone != "" {
		p("")
		p("# The schedules run in %s (WEBSITE_TIME_ZONE). Linux plans read an IANA", s.TimeZone)
		p("# name; Windows plans need a Windows zone ID: set TIME_ZONE to it. Linux")
		p("# Consumption and Flex Consumption do not support WEBSITE_TIME_ZONE and run")
		p("# schedules in UTC.")
		p(`if [ -n "${TIME_ZONE:-}" ]; then`)
		p(`  az functionapp config appsettings set "${app[@]}" --settings "WEBSITE_TIME_ZONE=$TIME_ZONE" --output none`)
		p(`fi`)
		p(`case "$PLAN" in flex | consumption)`)
		p(`  echo "warning: on PLAN=$PLAN timer triggers run in UTC, not %s" >&2 ;;`, s.TimeZone)
		p(`esac`)
	}
	if h := Host(app, HostOptions{}); h.FunctionTimeout != "" {
		if d, err := azure.ParseTimeSpan(h.FunctionTimeout); err == nil && d > 10*time.Minute {
			p("")
			p("# host.json's functionTimeout (%s) is over the Consumption plan's 10 minutes.", h.FunctionTimeout)
			p(`if [ "$PLAN" = consumption ]; then`)
			p(`  echo "warning: PLAN=consumption stops functions after 10 minutes, not %s" >&2`, h.FunctionTimeout)
			p(`fi`)
		}
	}
	writeScale(p, app)
	return []byte(b.String())
}

// oneLine returns s with its line breaks as spaces, for a comment.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// shellSafe returns s without the characters that would end or expand a
// double-quoted ${NAME:?message}.
func shellSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune("\"'$`\\{}!", r) {
			return -1
		}
		return r
	}, oneLine(s))
}

// knobs are an app's cost and rollout knobs as a function app has them:
// one memory size and one instance limit per app.
type knobs struct {
	memoryMB, maxInstances, minInstances int
	alwaysReady                          []string // Flex always-ready settings: http=N, function:NAME=N
	lines                                []string // what each function declares
	rollouts                             []string
	percent                              int // the first rollout's share of traffic
}

func knobsOf(app *core.App) knobs {
	var k knobs
	httpReady := 0
	for _, f := range app.Functions() {
		d := f.Deploy
		var says []string
		if d.MemoryMB > 0 {
			k.memoryMB = max(k.memoryMB, d.MemoryMB)
			says = append(says, fmt.Sprintf("memory %d MB", d.MemoryMB))
		}
		if d.MinInstances > 0 || d.MaxInstances > 0 {
			says = append(says, fmt.Sprintf("instances %d to %d", d.MinInstances, d.MaxInstances))
			k.maxInstances = max(k.maxInstances, d.MaxInstances)
			k.minInstances = max(k.minInstances, d.MinInstances)
			switch {
			case d.MinInstances == 0:
			case f.Kind == core.HTTPFunction:
				httpReady = max(httpReady, d.MinInstances)
			default:
				k.alwaysReady = append(k.alwaysReady, fmt.Sprintf("function:%s=%d", f.Name, d.MinInstances))
			}
		}
		if d.Rollout.Strategy != core.RolloutAllAtOnce {
			says = append(says, d.Rollout.String())
			k.rollouts = append(k.rollouts, f.Name+": "+d.Rollout.String())
			if k.percent == 0 {
				k.percent = d.Rollout.Percent
			}
		}
		if len(says) > 0 {
			k.lines = append(k.lines, f.Name+": "+strings.Join(says, ", "))
		}
	}
	if httpReady > 0 {
		k.alwaysReady = append(k.alwaysReady, fmt.Sprintf("http=%d", httpReady))
	}
	sort.Strings(k.alwaysReady)
	return k
}

// FlexMemory returns the Flex Consumption instance memory that holds mb:
// 512, 2048 or 4096 MB (the largest Flex offers, also for more).
func FlexMemory(mb int) int {
	switch {
	case mb <= 512:
		return 512
	case mb <= 2048:
		return 2048
	}
	return 4096
}

// PremiumSKU returns the Elastic Premium plan SKU whose instances hold mb:
// EP1 (3.5 GB), EP2 (7 GB) or EP3 (14 GB, the largest, also for more).
func PremiumSKU(mb int) string {
	switch {
	case mb <= 3584:
		return "EP1"
	case mb <= 7168:
		return "EP2"
	}
	return "EP3"
}

func writeScale(p func(string, ...any), app *core.App) {
	k := knobsOf(app)
	p("")
	if len(k.lines) == 0 {
		p("# No function declares memory, instances or a rollout: the plan's defaults apply.")
		return
	}
	p("# Scale knobs, as the functions declare them. A function app has one memory")
	p("# size and one instance limit: the largest any function declares applies.")
	for _, l := range k.lines {
		p("#   %s", l)
	}
	site := `az resource update --resource-type Microsoft.Web/sites --resource-group "$RESOURCE_GROUP" --name "$FUNCTION_APP/config/web"`
	p(`case "$PLAN" in`)
	p(`flex)`)
	if k.memoryMB > 0 || k.maxInstances > 0 {
		args := ""
		if k.memoryMB > 0 {
			args += fmt.Sprintf(" --instance-memory %d", FlexMemory(k.memoryMB))
		}
		if k.maxInstances > 0 {
			args += fmt.Sprintf(" --maximum-instance-count %d", k.maxInstances)
		}
		p(`  az functionapp scale config set "${app[@]}"%s --output none`, args)
	}
	if len(k.alwaysReady) > 0 {
		p(`  az functionapp scale config always-ready set "${app[@]}" --settings %s --output none`, strings.Join(k.alwaysReady, " "))
	}
	p(`  ;;`)
	p(`premium)`)
	if k.memoryMB > 0 {
		p("  # Memory comes with the plan's SKU: %d MB fits %s (create the plan with --sku %s).", k.memoryMB, PremiumSKU(k.memoryMB), PremiumSKU(k.memoryMB))
	}
	var props []string
	if k.maxInstances > 0 {
		props = append(props, fmt.Sprintf("properties.functionAppScaleLimit=%d", k.maxInstances))
	}
	if k.minInstances > 0 {
		props = append(props, fmt.Sprintf("properties.minimumElasticInstanceCount=%d", k.minInstances))
	}
	if len(props) > 0 {
		p(`  %s --set %s --output none`, site, strings.Join(props, " "))
	}
	p(`  ;;`)
	p(`consumption)`)
	p(`  # 1.5 GB instances, none kept warm.`)
	if k.maxInstances > 0 {
		p(`  %s --set properties.functionAppScaleLimit=%d --output none`, site, k.maxInstances)
	}
	p(`  ;;`)
	p(`dedicated)`)
	p(`  # Instances are the App Service plan's: az appservice plan update --number-of-workers N.`)
	p(`  ;;`)
	p(`esac`)
	if len(k.rollouts) == 0 {
		return
	}
	p("")
	p("# Rollout: %s.", strings.Join(k.rollouts, "; "))
	p("# Azure Functions splits traffic per app, not per function, with deployment")
	p("# slots (Premium, Dedicated and Consumption plans; Flex Consumption has none):")
	p(`#   az functionapp deployment slot create "${app[@]}" --slot staging`)
	p("#   deploy the new version to the slot (add --slot staging to the deploy command)")
	p(`#   az webapp traffic-routing set "${app[@]}" --distribution staging=%d`, k.percent)
	p(`#   watch its errors for the interval, then swap: az functionapp deployment slot swap "${app[@]}" --slot staging`)
	p(`#   or back out: az webapp traffic-routing clear "${app[@]}"`)
}
