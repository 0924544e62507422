package aws

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/polyfn/polyfn/core"
)

// TypeLogEvent is the type of an event synthesized from a CloudWatch Logs
// log event delivered by a subscription filter.
const TypeLogEvent = "com.amazonaws.logs.log_event"

// maxLogsData bounds the decompressed size of one CloudWatch Logs
// subscription message: Lambda payloads are at most 6 MB, and CloudWatch
// Logs compresses well, but not a thousandfold.
const maxLogsData = 64 << 20

// decodeLogs reads a CloudWatch Logs subscription delivered straight to the
// function ({"awslogs":{"data":base64(gzip(JSON))}}): one event per log
// event (see logEvents). A control message, which CloudWatch Logs sends
// to check the destination, gives no event.
func decodeLogs(payload []byte) (*Batch, error) {
	var ev events.CloudwatchLogsEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, malformed("CloudWatch Logs event: %s", jsonErr(err))
	}
	if ev.AWSLogs.Data == "" {
		return nil, malformed("CloudWatch Logs event: no awslogs.data")
	}
	gz, err := base64.StdEncoding.DecodeString(ev.AWSLogs.Data)
	if err != nil {
		return nil, malformed("CloudWatch Logs event: awslogs.data is not base64: %v", err)
	}
	lg, err := gunzipLogs(gz)
	if err != nil {
		return nil, prefixErr("CloudWatch Logs event: awslogs.data: ", err)
	}
	b := newBatch(SourceCloudWatchLogs, len(lg.LogEvents))
	var bld builder
	if err := logEvents(b, &bld, lg, record{}); err != nil {
		return nil, prefixErr("CloudWatch Logs event: ", err)
	}
	return b, nil
}

// isGzip reports whether data starts with the gzip magic number.
func isGzip(data []byte) bool { return len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b }

// gunzipLogs decompresses and decodes CloudWatch Logs subscription data.
func gunzipLogs(gz []byte) (*events.CloudwatchLogsData, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, malformed("not gzip: %v", err)
	}
	defer zr.Close()
	data, err := io.ReadAll(io.LimitReader(zr, maxLogsData+1))
	switch {
	case err != nil:
		return nil, malformed("gzip: %v", err)
	case len(data) > maxLogsData:
		return nil, malformed("more than %d bytes once decompressed", maxLogsData)
	}
	lg := new(events.CloudwatchLogsData)
	if err := json.Unmarshal(data, lg); err != nil {
		return nil, malformed("%s", jsonErr(err))
	}
	if lg.MessageType != "DATA_MESSAGE" && lg.MessageType != "CONTROL_MESSAGE" {
		return nil, malformed("messageType %q is not DATA_MESSAGE or CONTROL_MESSAGE", lg.MessageType)
	}
	return lg, nil
}

// logEvents appends one event per log event of lg to b: type
// com.amazonaws.logs.log_event, source the log group, subject the log
// stream, id the log event id, time its timestamp, data the message (its
// content type sniffed: a JSON log line is JSON). rec is what a delivering
// Kinesis record gives each event; without one, events run in order under
// one key. A control message gives none.
func logEvents(b *Batch, bld *builder, lg *events.CloudwatchLogsData, rec record) error {
	if lg.MessageType == "CONTROL_MESSAGE" {
		return nil
	}
	if lg.LogGroup == "" {
		return malformed("no logGroup")
	}
	bld.reserve(len(lg.LogEvents))
	for i := range lg.LogEvents {
		le := &lg.LogEvents[i]
		e, err := bld.newEvent(le.ID, lg.LogGroup, TypeLogEvent)
		if err != nil {
			return prefixErr("logEvents["+strconv.Itoa(i)+"]: ", err)
		}
		e.setKind(core.KindStreamRecord)
		e.setSubject(lg.LogStream)
		if le.Timestamp > 0 {
			e.setTime(time.UnixMilli(le.Timestamp))
		}
		e.setExt(ExtAccount, lg.Owner)
		e.setData([]byte(le.Message), "")
		r := rec
		if r.native == nil {
			r = record{native: lg, key: lg.LogStream, item: le.ID}
		} else {
			r.inner = lg
		}
		b.add(e.event(), r)
	}
	return nil
}

// errNoLogs is what a Kinesis record that is not CloudWatch Logs data
// gives logsInKinesis.
var errNoLogs = errors.New("not CloudWatch Logs data")

// logsInKinesis reads the CloudWatch Logs subscription data a Kinesis
// record carries (gzip-compressed JSON), or returns errNoLogs.
func logsInKinesis(data []byte) (*events.CloudwatchLogsData, error) {
	if !isGzip(data) {
		return nil, errNoLogs
	}
	lg, err := gunzipLogs(data)
	if err != nil {
		return nil, errNoLogs
	}
	return lg, nil
}
