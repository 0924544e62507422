package driver

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/polyfn/polyfn/core"
)

// ErrSkipped is the error of a batch record that was not run because an
// earlier record with the same ordering key failed (see BatchOptions).
var ErrSkipped = errors.New("not run: an earlier record with the same ordering key failed")

// RecordResult is the outcome of one event: one invocation, or one record
// of a batch.
type RecordResult struct {
	// Reply is the reply event, if the handler returned one.
	Reply *core.Event
	// Err is nil when the record succeeded.
	Err error
}

// Outcome classifies r.Err (see OutcomeOf).
func (r RecordResult) Outcome() Outcome { return OutcomeOf(r.Err) }

// BatchOptions configures RunBatch. The zero value runs records one after
// another and runs every record even after a failure.
type BatchOptions struct {
	// Concurrency bounds how many records run at once; 0 or 1 runs them one
	// after another. Records with equal ordering keys always run in order.
	Concurrency int
	// Key returns the ordering key of record i. The default is the
	// "partitionkey" extension ("" when absent: all such records share one
	// key).
	Key func(i int) string
	// StopOnFailure reports every record that follows a failed record with
	// the same ordering key as failed with ErrSkipped, without running it.
	// Ordered sources (SQS FIFO, Kinesis, DynamoDB Streams) need it: the
	// cloud redelivers from the first failure, and running later records now
	// would process them out of order.
	StopOnFailure bool
	// Context, when set, returns the context record i runs with, derived
	// from ctx: a provider uses it to hand a function its native record.
	Context func(ctx context.Context, i int) context.Context
}

// BatchResult holds one RecordResult per record, in the order of the batch.
type BatchResult struct {
	Records []RecordResult
}

// Failed returns the indexes of the records that failed, in order.
func (b BatchResult) Failed() []int {
	var idx []int
	for i, r := range b.Records {
		if r.Err != nil {
			idx = append(idx, i)
		}
	}
	return idx
}

// Err joins the errors of the failed records, each prefixed with its index,
// or returns nil when every record succeeded.
func (b BatchResult) Err() error {
	var errs []error
	for i, r := range b.Records {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("record %d: %w", i, r.Err))
		}
	}
	return errors.Join(errs...)
}

// RunBatch calls fn for each event and collects one result per event, so an
// adapter can report partial failure in its cloud's way. A record whose turn
// comes after ctx is done fails with ctx's error: nothing is acknowledged
// without having run. fn should be the panic-safe handler
// core.Function.EventFunc returns.
func RunBatch(ctx context.Context, fn core.EventFunc, events []core.Event, opts BatchOptions) BatchResult {
	res := BatchResult{Records: make([]RecordResult, len(events))}
	key := opts.Key
	if key == nil {
		key = func(i int) string {
			v, _ := core.ExtensionString(events[i], core.PartitionKeyExtension)
			return v
		}
	}
	// run runs the records at idx in order. After a failure, StopOnFailure
	// skips the later records of the failed record's key.
	run := func(idx []int) {
		var failed map[string]bool
		for _, i := range idx {
			k := ""
			if opts.StopOnFailure {
				k = key(i)
			}
			switch {
			case failed[k]:
				res.Records[i].Err = ErrSkipped
				continue
			case ctx.Err() != nil:
				res.Records[i].Err = fmt.Errorf("not run: %w", context.Cause(ctx))
			default:
				rctx := ctx
				if opts.Context != nil {
					rctx = opts.Context(ctx, i)
				}
				reply, err := fn(rctx, events[i])
				res.Records[i] = RecordResult{Reply: reply, Err: err}
			}
			if res.Records[i].Err != nil && opts.StopOnFailure {
				if failed == nil {
					failed = map[string]bool{}
				}
				failed[k] = true
			}
		}
	}
	if opts.Concurrency <= 1 || len(events) <= 1 {
		all := make([]int, len(events))
		for i := range all {
			all[i] = i
		}
		run(all)
		return res
	}
	groups, order := groupByKey(len(events), key)
	sem := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	for _, k := range order {
		idx := groups[k]
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			run(idx)
		}()
	}
	wg.Wait()
	return res
}

// groupByKey returns the record indexes per key and the keys in order of
// first appearance.
func groupByKey(n int, key func(int) string) (map[string][]int, []string) {
	groups := map[string][]int{}
	var order []string
	for i := 0; i < n; i++ {
		k := key(i)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	return groups, order
}
