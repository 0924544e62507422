package azure

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/polyfn/polyfn/core"
)

// BlobData is the data of a blob event, shaped like Event Grid's
// Microsoft.Storage.BlobCreated data. The blob's bytes are not in the
// event; a function reads them from the invocation request:
//
//	req, _ := azure.RequestFromContext(ctx)
//	content, err := req.Binary(req.TriggerName)
type BlobData struct {
	URL           string `json:"url"`
	ETag          string `json:"eTag,omitempty"`
	ContentType   string `json:"contentType,omitempty"`
	ContentLength int64  `json:"contentLength"`
	BlobType      string `json:"blobType,omitempty"`
}

// blob decodes a blob trigger into a Microsoft.Storage.BlobCreated event
// whose data describes the blob.
func (d *decoder) blob(raw json.RawMessage) error {
	d.inv.Trigger = core.TriggerStorage
	uri := d.req.MetaString("Uri")
	props := objectMembers(d.req.Metadata["Properties"])
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return invalid("blob metadata Uri %q is not an absolute URL", uri)
	}
	container, name, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if n, err := url.PathUnescape(name); err == nil {
		name = n
	}
	etag := strings.Trim(scalarString(props["ETag"]), `"`)
	data := BlobData{URL: uri, ETag: etag, ContentType: scalarString(props["ContentType"]), BlobType: blobType(scalarString(props["BlobType"]))}
	if n, err := strconv.ParseInt(scalarString(props["Length"]), 10, 64); err == nil {
		data.ContentLength = n
	} else if body, err := d.payload(raw); err == nil {
		data.ContentLength = int64(len(body))
	}
	id := container + "/" + name
	if etag != "" {
		id += "@" + etag
	}
	e, c, err := newEvent(id, d.source("//"+u.Host), TypeBlobCreated, core.KindStorageObjectCreated)
	if err != nil {
		return err
	}
	c.setSubject("/blobServices/default/containers/" + container + "/blobs/" + name)
	if t, err := metaTime(props["LastModified"]); err == nil {
		c.setTime(t)
	}
	c.v1.Extensions["dataref"] = uri
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if err := c.setBody(&e, b, "application/json", false); err != nil {
		return err
	}
	d.inv.Events = append(d.inv.Events, e)
	return nil
}

// blobType names the legacy storage SDK's BlobType enum values the host
// sends as numbers.
func blobType(s string) string {
	switch s {
	case "1":
		return "PageBlob"
	case "2":
		return "BlockBlob"
	case "3":
		return "AppendBlob"
	case "0":
		return ""
	}
	return s
}
