package cehttp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	sdkhttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"github.com/polyfn/polyfn/internal/cejson"
)

// sdkReadBinary reads a binary-mode message as the CloudEvents Go SDK v2
// does, and validates the event. Headers without a value (WriteBinary's
// Content-Type without a datacontenttype) are dropped, as on the wire: the
// SDK's reader panics on them.
func sdkReadBinary(h http.Header, body []byte) (event.Event, error) {
	wire := http.Header{}
	for k, vs := range h {
		if len(vs) > 0 {
			wire[k] = vs
		}
	}
	e, err := binding.ToEvent(context.Background(), sdkhttp.NewMessage(wire, io.NopCloser(bytes.NewReader(body))))
	if err != nil {
		return event.Event{}, err
	}
	return *e, e.Validate()
}

// sdkWriteBinary writes e in binary mode as the SDK does.
func sdkWriteBinary(t *testing.T, e event.Event) (http.Header, []byte) {
	rec := httptest.NewRecorder()
	ctx := binding.WithForceBinary(context.Background())
	if err := sdkhttp.WriteResponseWriter(ctx, binding.ToMessage(&e), 200, rec); err != nil {
		t.Fatalf("the SDK cannot write %v: %v", e, err)
	}
	return rec.Header(), rec.Body.Bytes()
}

// binaryStricter lists, by a phrase of our error, the binary-mode messages
// we refuse and the SDK reads: each is a documented difference
// (docs/cloudevents.md).
var binaryStricter = []string{
	"media type",              // Content-Type as RFC 2046 spells it
	"is not an RFC 3339",      // RFC 3339 exactly
	"control character",       // disallowed characters, once percent-decoded
	"noncharacter",            //
	"not valid UTF-8",         //
	"data is not valid JSON",  // data of a JSON media type is JSON
	"is not a URI-reference",  // source
	"bad percent-encoding",    // the SDK does not percent-decode
	"missing required header", // a value the SDK reads as given, we as decoded
	"missing required attribute",
	"is not supported", // specversion
}

// FuzzSDKBinaryInterop reads the same binary-mode message with ReadBinary
// and with the CloudEvents Go SDK v2, and checks that an event either
// reader takes survives the other's writer: the accept/reject and round
// trip of issue 10 against the reference implementation. Values the
// binding percent-encodes are compared only through our own round trip:
// the SDK neither encodes nor decodes them (a documented difference).
func FuzzSDKBinaryInterop(f *testing.F) {
	f.Add("1.0", "id", "/src", "type", "subj", "2018-04-05T17:31:00Z", "application/json", "v", []byte(`{"a":1}`))
	f.Add("1.0", "1", "https://example.com/x", "t", "Euro%20%E2%82%AC", "2018-04-05t17:31:00z", "text/plain; charset=utf-8", "", []byte("hi"))
	f.Add("1.0", "1", "/s", "t", "", "2016-12-31T23:59:60Z", "a/b c", "1", []byte{0xff})
	f.Add("1.0", "1", "/s", "t", "a\x01b", "", "", "x", []byte("not json"))
	f.Fuzz(func(t *testing.T, sv, id, src, typ, subject, tm, ct, ext string, body []byte) {
		h := http.Header{}
		for k, v := range map[string]string{"Ce-Specversion": sv, "Ce-Id": id, "Ce-Source": src, "Ce-Type": typ,
			"Ce-Subject": subject, "Ce-Time": tm, "Content-Type": ct, "Ce-Myext": ext} {
			// What a header can carry on the wire, as net/http reads it.
			if v = trimOWS(v); v != "" && !strings.ContainsAny(v, "\r\n\x00") {
				h[k] = []string{v}
			}
		}
		ours, err := ReadBinary(h, body)
		theirs, sdkErr := sdkReadBinary(h, body)
		coded := hasCoded(h) // a value the binding percent-encodes or quotes
		switch {
		case err != nil && !errors.Is(err, cejson.ErrInvalid):
			t.Fatalf("error %v does not wrap ErrInvalid", err)
		case err != nil && sdkErr == nil:
			for _, p := range binaryStricter {
				if strings.Contains(err.Error(), p) {
					return
				}
			}
			t.Fatalf("we refuse what the SDK reads, for no documented reason: %v\n%v", err, h)
		case err != nil:
			return
		case sdkErr != nil:
			if !coded && !laxTime(tm) {
				t.Fatalf("we read what the SDK refuses (%v), for no documented reason:\n%v", sdkErr, h)
			}
		case !coded:
			if diff := sameBinaryEvent(ours, theirs); diff != "" {
				t.Fatalf("the SDK reads another event: %s\n%v", diff, h)
			}
		}
		// Our writer, read by ourselves and, for plain values, by the SDK.
		rec := httptest.NewRecorder()
		if err := WriteBinary(rec, &ours, 200); err != nil {
			t.Fatalf("a valid event must encode: %v", err)
		}
		back, err := ReadBinary(rec.Header(), rec.Body.Bytes())
		if err != nil {
			t.Fatalf("our own output must parse: %v", err)
		}
		if diff := sameBinaryEvent(ours, back); diff != "" {
			t.Fatalf("our round trip changed the event: %s", diff)
		}
		if coded || laxTime(tm) || hasCoded(rec.Header()) {
			return
		}
		sdkBack, err := sdkReadBinary(rec.Header(), rec.Body.Bytes())
		if err != nil {
			t.Fatalf("the SDK refuses our output: %v\n%v", err, rec.Header())
		}
		if diff := sameBinaryEvent(ours, sdkBack); diff != "" {
			t.Fatalf("the SDK reads our output as another event: %s", diff)
		}
		// The SDK's writer, read by us.
		sh, sbody := sdkWriteBinary(t, sdkBack)
		again, err := ReadBinary(sh, sbody)
		if err != nil {
			t.Fatalf("we refuse the SDK's output: %v\n%v", err, sh)
		}
		if diff := sameBinaryEvent(ours, again); diff != "" {
			t.Fatalf("we read the SDK's output as another event: %s", diff)
		}
	})
}

// hasCoded reports whether a header value holds a percent-encoding or a
// quote, which the SDK reads as given.
func hasCoded(h http.Header) bool {
	for _, vs := range h {
		for _, v := range vs {
			if strings.ContainsAny(v, `%"`) {
				return true
			}
		}
	}
	return false
}

// laxTime reports whether tm is a time RFC 3339 allows and Go's
// time.Parse, which the SDK uses, does not: a lower-case t or z, or a leap
// second.
func laxTime(tm string) bool {
	return strings.ContainsAny(tm, "tz") || strings.Contains(tm, ":60")
}

// sameBinaryEvent compares two events read in binary mode: attributes,
// extensions as text, and data byte for byte.
func sameBinaryEvent(a, b event.Event) string {
	am, bm := attributesOf(a), attributesOf(b)
	for k, v := range am {
		if bm[k] != v {
			return k + ": " + v + " vs " + bm[k]
		}
	}
	if len(am) != len(bm) {
		return "attributes differ"
	}
	if !bytes.Equal(a.Data(), b.Data()) {
		return "data differ"
	}
	return ""
}

// TestSDKBinaryDifferences pins the deliberate differences from the SDK in
// binary mode that docs/cloudevents.md lists.
func TestSDKBinaryDifferences(t *testing.T) {
	tests := []struct {
		name           string
		h              http.Header
		body           string
		ours, theirs   string // the subject each reads; "error" when refused
		ourErrorPhrase string
	}{
		{"percent-decoding", binaryHeaders("ce-subject", "Euro%20%E2%82%AC"), "", "Euro €", "Euro%20%E2%82%AC", ""},
		{"an attribute in two cases", func() http.Header {
			h := binaryHeaders("ce-subject", "a")
			h["ce-subject"] = []string{"b"}
			return h
		}(), "", "error", "either", "given twice"},
		{"JSON-labelled data that is not JSON", binaryHeaders("Content-Type", "application/json"), "not json", "error", "", "data is not valid JSON"},
		{"control character", binaryHeaders("ce-subject", "a%01b"), "", "error", "a%01b", "control character"},
		{"empty media type parameter", binaryHeaders("Content-Type", "text/plain;"), "x", "error", "", "media type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours, err := ReadBinary(tt.h, []byte(tt.body))
			theirs, sdkErr := sdkReadBinary(tt.h, []byte(tt.body))
			if sdkErr != nil {
				t.Fatalf("the SDK refuses it: %v", sdkErr)
			}
			if tt.ours == "error" {
				if err == nil || !strings.Contains(err.Error(), tt.ourErrorPhrase) {
					t.Fatalf("error %v, want %q", err, tt.ourErrorPhrase)
				}
			} else if err != nil || ours.Subject() != tt.ours {
				t.Fatalf("we read subject %q (%v), want %q", ours.Subject(), err, tt.ours)
			}
			if tt.theirs != "" && tt.theirs != "either" && theirs.Subject() != tt.theirs {
				t.Fatalf("the SDK reads subject %q, want %q", theirs.Subject(), tt.theirs)
			}
		})
	}
}
