package gcloud

import (
	"fmt"
	"strings"
	"time"

	"github.com/polyfn/polyfn/core"
)

// rolloutHelpers are the shell functions the rollouts use (the script's
// own names start with polyfn_, which no setting may take): a function's
// Cloud Run service (none before its first deploy) and the service's
// latest ready revision.
const rolloutHelpers = `# polyfn_service FUNCTION: the Cloud Run service that runs the function,
# or nothing before its first deploy.
polyfn_service() {
  polyfn_s=$(gcloud functions describe "$1" --region="$REGION" --format='value(serviceConfig.service)' 2>/dev/null) || polyfn_s=
  echo "${polyfn_s##*/}"
}
# polyfn_revision SERVICE: the service's latest ready revision.
polyfn_revision() {
  gcloud run services describe "$1" --region="$REGION" --format='value(status.latestReadyRevisionName)'
}

`

// hasRollout reports whether a function of app declares a gradual
// rollout.
func hasRollout(app *core.App) bool {
	for _, f := range app.Functions() {
		if f.Deploy.Rollout.Strategy != core.RolloutAllAtOnce {
			return true
		}
	}
	return false
}

// steps returns the shares of traffic a rollout gives the new revision
// before all of it: one for a canary, one per interval for a linear
// rollout.
func steps(r core.Rollout) []string {
	var out []string
	for p := r.Percent; p < 100; p += r.Percent {
		out = append(out, fmt.Sprint(p))
		if r.Strategy == core.RolloutCanary {
			break
		}
	}
	return out
}

// rolledOut writes the deploy of a function with a canary or linear
// rollout through the traffic splitting of its Cloud Run service: the
// serving revision is pinned before the deploy, so that the new one
// starts without traffic; then the new revision takes each step's share
// for the interval, and finally all of it. Interrupting the script
// leaves the split as it is; the script prints the command that rolls
// back.
func rolledOut(b *strings.Builder, f *core.Function, deploy string) {
	r := f.Deploy.Rollout
	name := quote(f.Name)
	secs := int((r.Interval + time.Second - 1) / time.Second)
	fmt.Fprintf(b, "# %s through Cloud Run traffic splitting.\n", r)
	fmt.Fprintf(b, "polyfn_svc=$(polyfn_service %s); polyfn_prev=\n", name)
	b.WriteString("if [ -n \"$polyfn_svc\" ]; then\n")
	b.WriteString("  polyfn_prev=$(polyfn_revision \"$polyfn_svc\")\n")
	b.WriteString("  gcloud run services update-traffic \"$polyfn_svc\" --region=\"$REGION\" --to-revisions=\"$polyfn_prev=100\"\n")
	b.WriteString("fi\n")
	fmt.Fprintf(b, "%s\n", deploy)
	fmt.Fprintf(b, "polyfn_svc=$(polyfn_service %s); polyfn_new=$(polyfn_revision \"$polyfn_svc\")\n", name)
	b.WriteString("if [ -n \"$polyfn_prev\" ] && [ \"$polyfn_new\" != \"$polyfn_prev\" ]; then\n")
	fmt.Fprintf(b, "  echo \"%s: rolling out $polyfn_new (%s); roll back with: gcloud run services update-traffic $polyfn_svc --region=$REGION --to-revisions=$polyfn_prev=100\" >&2\n", f.Name, r)
	fmt.Fprintf(b, "  for polyfn_p in %s; do\n", strings.Join(steps(r), " "))
	b.WriteString("    gcloud run services update-traffic \"$polyfn_svc\" --region=\"$REGION\" --to-revisions=\"$polyfn_new=$polyfn_p,$polyfn_prev=$((100 - polyfn_p))\"\n")
	fmt.Fprintf(b, "    sleep %d\n", secs)
	b.WriteString("  done\n")
	b.WriteString("fi\n")
	b.WriteString("gcloud run services update-traffic \"$polyfn_svc\" --region=\"$REGION\" --to-latest\n")
}
