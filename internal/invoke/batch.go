package invoke

import (
	"fmt"
	"net/http"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cehttp"
	"github.com/polyfn/polyfn/internal/cejson"
)

// DefaultMaxBatchEvents is the most events one CloudEvents batch may hold
// when Config.MaxBatchEvents is not set: 1,000. A 10 MiB body can hold
// some 190,000 tiny events; each costs a few hundred bytes once decoded,
// so the cap, more than the body limit, bounds a batch's memory.
const DefaultMaxBatchEvents = cejson.DefaultMaxBatchEvents

// MaxBatchEvents returns the most events one CloudEvents batch may hold.
// Providers that decode batches themselves pass it to cehttp.ReadMax or
// cejson.UnmarshalBatchMax, so that they stop at the same cap.
func (rt *Runtime) MaxBatchEvents() int { return rt.cfg.MaxBatchEvents }

// readCloudEvents is the CloudEvents decoder ServeEvents uses when it is
// given none: CloudEvents with the runtime's batch cap.
func (rt *Runtime) readCloudEvents(r *http.Request, body []byte) ([]core.Event, bool, error) {
	evs, mode, err := cehttp.ReadMax(r.Header, body, rt.cfg.MaxBatchEvents)
	return evs, mode == cehttp.Batch, err
}

// checkBatchSize refuses a batch that a provider's decoder returned with
// more events than the cap, with the error cejson gives when it stops at
// the cap itself.
func (rt *Runtime) checkBatchSize(evs []core.Event) error {
	if max := rt.cfg.MaxBatchEvents; len(evs) > max {
		return fmt.Errorf("%w: %w: %d, more than the limit of %d events", cejson.ErrInvalid, cejson.ErrTooManyEvents, len(evs), max)
	}
	return nil
}
