package gcloud

import (
	"fmt"
	"strings"

	"github.com/polyfn/polyfn/core"
)

// envDelimiter is the list delimiter of the --set-env-vars flags the
// script writes (gcloud topic escaping), so that a value may hold commas.
const envDelimiter = "^||^"

// settings writes the script's checks of the App's declared settings,
// which run before anything is deployed, and returns the deploy flags
// that hand them to every function. A plain setting comes from the
// environment of the shell that runs the script, else its default; a
// required one without a value stops the script, naming it. A secret is
// the Secret Manager secret of the same name, latest version, which must
// exist (the script says how to create it). The script holds no value.
func settings(b *strings.Builder, settings []core.Setting) (string, error) {
	if len(settings) == 0 {
		return "", nil
	}
	for _, s := range settings {
		switch s.Name {
		case "REGION":
			return "", fmt.Errorf("setting %s: the deploy script reads the region from $REGION; rename the setting", s.Name)
		case projectVar:
			return "", fmt.Errorf("setting %s: the deploy script reads the project from $%s; rename the setting", s.Name, projectVar)
		case triggerAccount:
			return "", fmt.Errorf("setting %s: the deploy script reads the event triggers' service account from $%s; rename the setting", s.Name, triggerAccount)
		}
	}
	b.WriteString("# Settings: plain values come from this shell's environment (or their\n")
	b.WriteString("# defaults), secrets from the Secret Manager secret of the same name.\n")
	b.WriteString("# " + envDelimiter + " lets a value hold commas (gcloud topic escaping).\n")
	var flags []string
	for _, s := range settings {
		what := s.Name
		if s.Description != "" {
			what += ": " + s.Description
		}
		switch {
		case s.Secret:
			fmt.Fprintf(b, "# %s (secret)\n", comment(what))
			msg := fmt.Sprintf("the Secret Manager secret %s (%s) does not exist; create it: printf %%s VALUE | gcloud secrets create %s --data-file=-", s.Name, what, s.Name)
			fmt.Fprintf(b, "gcloud secrets describe %s >/dev/null 2>&1 || { echo %s >&2; exit 1; }\n", s.Name, quote(msg))
			flags = append(flags, fmt.Sprintf("--set-secrets=%s=%s:latest", s.Name, s.Name))
			continue
		case s.Required:
			fmt.Fprintf(b, "# %s (required)\n", comment(what))
			fmt.Fprintf(b, "[ -n \"${%s:-}\" ] || { echo %s >&2; exit 1; }\n", s.Name, quote("set "+what+" (required) before running this script"))
		default:
			fmt.Fprintf(b, "# %s (default %s)\n", comment(what), quote(s.Default))
			fmt.Fprintf(b, "[ -n \"${%s:-}\" ] || %s=%s\n", s.Name, s.Name, quote(s.Default))
		}
		flags = append(flags, fmt.Sprintf("--set-env-vars=\"%s%s=$%s\"", envDelimiter, s.Name, s.Name))
	}
	b.WriteString("\n")
	return " " + strings.Join(flags, " "), nil
}

// comment returns s on one line, for a shell comment.
func comment(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
