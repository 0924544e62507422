package adaptertest

import (
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/cejson"
)

// BatchBody returns recs as a CloudEvents JSON batch, the body a harness
// POSTs to an adapter that takes batches over HTTP: each record is an event
// with the record's id and data (application/json), source
// "/"+harness+"/"+fn, type "com.example."+harness+"."+trigger, the portable
// kind of trigger, and the record's key as its partitionkey extension.
func BatchBody(harness, fn string, trigger core.TriggerKind, recs []Record) ([]byte, error) {
	body := []byte{'['}
	for i, r := range recs {
		e := core.NewEvent(r.ID, "/"+harness+"/"+fn, "com.example."+harness+"."+string(trigger), "application/json", r.Data)
		e.SetExtension(core.KindExtension, string(KindOf(trigger)))
		if r.Key != "" {
			e.SetExtension(core.PartitionKeyExtension, r.Key)
		}
		if i > 0 {
			body = append(body, ',')
		}
		var err error
		if body, err = cejson.Append(body, e); err != nil {
			return nil, err
		}
	}
	return append(body, ']'), nil
}
