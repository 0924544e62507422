package azure

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/polyfn/polyfn/core"
)

// cosmos decodes a Cosmos DB change feed batch: one event per document.
func (d *decoder) cosmos(raw json.RawMessage) error {
	d.inv.Trigger, d.inv.Batch = core.TriggerStream, true
	items, err := records(raw)
	if err != nil {
		return err
	}
	tail := ""
	if c := d.b.Prop("containerName"); c != "" {
		tail = "/sqlDatabases/" + d.b.Prop("databaseName") + "/containers/" + c
	} else if c := d.b.Prop("collectionName"); c != "" {
		tail = "/sqlDatabases/" + d.b.Prop("databaseName") + "/containers/" + c
	}
	src := d.source(tail)
	d.inv.Events = make([]core.Event, 0, len(items))
	for i, it := range items {
		var doc struct {
			ID   string      `json:"id"`
			Rid  string      `json:"_rid"`
			Etag string      `json:"_etag"`
			TS   json.Number `json:"_ts"`
			LSN  json.Number `json:"_lsn"`
		}
		if err := json.Unmarshal(it, &doc); err != nil {
			return invalid("document %d is not a JSON object: %v", i, err)
		}
		id := doc.ID
		if doc.Rid != "" {
			id = doc.Rid + "@" + strings.Trim(doc.Etag, `"`)
		}
		if id == "" {
			return invalid("document %d has neither id nor _rid", i)
		}
		e, c, err := newEvent(id, src, TypeCosmosDBWritten, core.KindDBDocumentWritten)
		if err != nil {
			return err
		}
		if doc.ID != "" {
			c.setSubject("docs/" + doc.ID)
		}
		if ts, err := doc.TS.Int64(); err == nil {
			c.setTime(time.Unix(ts, 0).UTC())
		}
		c.setString("sequence", padSequence(doc.LSN.String()))
		if d.src.PartitionKeyPath != "" {
			c.setString(core.PartitionKeyExtension, documentPath(it, d.src.PartitionKeyPath))
		}
		if err := c.setBody(&e, it, "application/json", false); err != nil {
			return err
		}
		d.inv.Events = append(d.inv.Events, e)
	}
	return nil
}

// documentPath returns the scalar at path ("/a/b") in a JSON document, as
// text; "" when absent or not a scalar.
func documentPath(doc json.RawMessage, path string) string {
	raw := doc
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		if raw = member(raw, part); raw == nil {
			return ""
		}
	}
	if r := bytes.TrimSpace(raw); len(r) > 0 && (r[0] == '{' || r[0] == '[') {
		return ""
	}
	return scalarString(raw)
}
