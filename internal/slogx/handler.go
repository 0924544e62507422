package slogx

import (
	"context"
	"hash/fnv"
	"io"
	"log/slog"
	"slices"
	"strings"
)

// A Shape is the JSON layout a platform's log pipeline reads.
type Shape int

const (
	// Plain is slog's JSON: "time", "level", "msg" (local, Knative, Azure).
	Plain Shape = iota
	// Lambda is the AWS Lambda JSON log format: "timestamp", "level" (TRACE
	// DEBUG INFO WARN ERROR FATAL), "message" and "requestId".
	Lambda
	// CloudLogging is Google Cloud Logging's structured entry: "timestamp",
	// "severity", "message", "logging.googleapis.com/trace", "…/spanId",
	// "…/trace_sampled" and "…/sourceLocation".
	CloudLogging
)

// Fields are what a record's context tells about the invocation it belongs
// to; the zero value of each is left out of the line.
type Fields struct {
	Function     string
	InvocationID string
	ColdStart    bool
	EventID      string
	EventType    string
	EventSource  string
	// TraceID and SpanID are the W3C trace context's hexadecimal ids.
	TraceID, SpanID string
	Sampled         bool
}

// The keys of Fields in a line, on every shape (Cloud Logging writes the
// trace in its own keys when it knows the project).
const (
	KeyFunction     = "function"
	KeyInvocationID = "invocation_id"
	KeyColdStart    = "cold_start"
	KeyEventID      = "event_id"
	KeyEventType    = "event_type"
	KeyEventSource  = "event_source"
	KeyTraceID      = "trace_id"
	KeySpanID       = "span_id"
	KeyXRayTraceID  = "xray_trace_id" // Lambda: the trace id in X-Ray's form
	KeyRequestID    = "requestId"     // Lambda: the request id
	KeyGoogleTrace  = "logging.googleapis.com/trace"
	KeyGoogleSpan   = "logging.googleapis.com/spanId"
	KeyGoogleSample = "logging.googleapis.com/trace_sampled"
	KeyGoogleSource = "logging.googleapis.com/sourceLocation"
)

// EscapePrefix is put before a record's attribute whose key the shape
// reserves ("message", "severity", ...), so that no line ever holds a key
// twice: an attribute "message" is written as "attr_message".
const EscapePrefix = "attr_"

// Options configure a Handler.
type Options struct {
	// Shape is the layout of the line.
	Shape Shape
	// Level is the lowest level written; nil means Info.
	Level slog.Leveler
	// Fields returns what ctx tells about the invocation; nil, or false,
	// adds nothing.
	Fields func(ctx context.Context) (Fields, bool)
	// Project is the Google Cloud project id, which Cloud Logging's trace
	// key needs; without it the trace goes in trace_id and span_id.
	Project string
	// Text writes slog's text format instead of JSON (Lambda's TEXT log
	// format).
	Text bool
	// DebugSampleRate, between 0 and 1, is the share of invocations whose
	// lines are written from Debug up, whatever Level says (Powertools'
	// sampling): an invocation is in the sample or not by its id, so all
	// its lines are, or none.
	DebugSampleRate float64
	// BufferLevel, when not nil, holds back an invocation's lines at or
	// above it and below Level (Powertools' log buffering): they are
	// written, before it, when the invocation logs a line at Error or
	// above (the runtime logs every failure so), and dropped when the
	// invocation ends without one (EndInvocation). At most BufferBytes are
	// held per invocation. Lines outside an invocation are not held.
	BufferLevel slog.Leveler
}

// New returns a handler that writes one line per record to w, in o.Shape.
// A record's attributes and those of With come after the invocation's
// Fields, which they override; a later attribute overrides an earlier one
// with the same key, in groups too. It is safe for concurrent use.
func New(w io.Writer, o Options) slog.Handler {
	ho := &slog.HandlerOptions{Level: o.Level, ReplaceAttr: replacer(o.Shape), AddSource: o.Shape == CloudLogging}
	var sink slog.Handler
	if o.Text {
		sink = slog.NewTextHandler(w, ho)
	} else {
		sink = slog.NewJSONHandler(w, ho)
	}
	return Wrap(sink, o)
}

// Wrap returns New's handler over sink, a handler that writes records: it
// gets each record whole, with every attribute (the Fields, With's, groups
// as group attributes) in the record, and no WithAttrs or WithGroup call.
// sink's own level is not consulted: o.Level decides.
func Wrap(sink slog.Handler, o Options) slog.Handler {
	if o.Level == nil {
		o.Level = slog.LevelInfo
	}
	if o.BufferLevel != nil {
		buffering.Store(true)
	}
	return &handler{o: &o, sink: sink}
}

type handler struct {
	o      *Options
	sink   slog.Handler
	attrs  []slog.Attr // With's attributes before any group
	groups []group     // open groups, outermost first
}

type group struct {
	name  string
	attrs []slog.Attr
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool {
	if l >= h.o.Level.Level() {
		return true
	}
	if h.o.Fields == nil || ctx == nil {
		return false
	}
	sample := h.o.DebugSampleRate > 0 && l >= slog.LevelDebug
	if !sample && !h.holds(l) {
		return false
	}
	f, ok := h.o.Fields(ctx)
	return ok && (sample && Sampled(f.InvocationID, h.o.DebugSampleRate) || h.holds(l) && f.InvocationID != "")
}

// holds reports whether h holds back lines of level l (Options.BufferLevel)
// inside an invocation that is not in the debug sample.
func (h *handler) holds(l slog.Level) bool {
	return h.o.BufferLevel != nil && l >= h.o.BufferLevel.Level() && l < h.o.Level.Level()
}

// Sampled reports whether the invocation id falls in a sample of rate
// (0 to 1) of all ids: the same answer for the same id, every time.
func Sampled(id string, rate float64) bool {
	if rate >= 1 {
		return true
	}
	if rate <= 0 || id == "" {
		return false
	}
	h := fnv.New64a()
	h.Write([]byte(id)) //nolint:errcheck // hashes never fail
	x := h.Sum64()
	// FNV's high bits follow its last bytes: mix them (MurmurHash3's
	// finalizer) so that sequential ids spread evenly.
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return float64(x>>11)/(1<<53) < rate
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	c := *h
	if n := len(c.groups); n > 0 {
		c.groups = slices.Clone(c.groups)
		c.groups[n-1].attrs = append(slices.Clip(c.groups[n-1].attrs), as...)
	} else {
		c.attrs = append(slices.Clip(c.attrs), as...)
	}
	return &c
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.groups = append(slices.Clip(c.groups), group{name: name})
	return &c
}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	var own []slog.Attr
	if r.NumAttrs() > 0 {
		own = make([]slog.Attr, 0, r.NumAttrs())
		r.Attrs(func(a slog.Attr) bool {
			own = append(own, a)
			return true
		})
	}
	// Nest the record's attributes in the open groups, innermost first.
	for i := len(h.groups) - 1; i >= 0; i-- {
		g := merge(nil, h.groups[i].attrs, own)
		if len(g) == 0 {
			own = nil
			continue
		}
		own = []slog.Attr{{Key: h.groups[i].name, Value: slog.GroupValue(g...)}}
	}
	var top []slog.Attr
	var f Fields
	ok := false
	if h.o.Fields != nil && ctx != nil {
		f, ok = h.o.Fields(ctx)
	}
	if ok {
		top = h.fieldAttrs(make([]slog.Attr, 0, 12+len(h.attrs)+len(own)), f)
	}
	top = merge(top, h.attrs, own)
	for i := range top {
		if reserved(h.o.Shape, top[i].Key) {
			top[i].Key = EscapePrefix + top[i].Key
		}
	}
	if ok {
		top = h.platformAttrs(top, f)
	}
	nr := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	nr.AddAttrs(top...)
	if ok && f.InvocationID != "" && buffering.Load() {
		if h.holdsIn(f, r.Level) {
			hold(f.InvocationID, heldLine{h: h, ctx: ctx, r: nr, size: recordSize(nr)})
			return nil
		}
		if r.Level >= slog.LevelError {
			release(ctx, h, f.InvocationID) // those another handler held too
		}
	}
	return h.sink.Handle(ctx, nr)
}

// fieldAttrs appends the attributes of f that records may override.
func (h *handler) fieldAttrs(as []slog.Attr, f Fields) []slog.Attr {
	add := func(k, v string) {
		if v != "" {
			as = append(as, slog.String(k, v))
		}
	}
	add(KeyFunction, f.Function)
	add(KeyInvocationID, f.InvocationID)
	add(KeyEventID, f.EventID)
	add(KeyEventType, f.EventType)
	add(KeyEventSource, f.EventSource)
	if f.ColdStart {
		as = append(as, slog.Bool(KeyColdStart, true))
	}
	if f.TraceID != "" && !(h.o.Shape == CloudLogging && h.o.Project != "") {
		add(KeyTraceID, f.TraceID)
		add(KeySpanID, f.SpanID)
	}
	return as
}

// platformAttrs appends the attributes of f in the platform's own keys,
// which records cannot override.
func (h *handler) platformAttrs(as []slog.Attr, f Fields) []slog.Attr {
	switch h.o.Shape {
	case Lambda:
		if f.InvocationID != "" {
			as = append(as, slog.String(KeyRequestID, f.InvocationID))
		}
		if len(f.TraceID) == 32 {
			as = append(as, slog.String(KeyXRayTraceID, "1-"+f.TraceID[:8]+"-"+f.TraceID[8:]))
		}
	case CloudLogging:
		if f.TraceID != "" && h.o.Project != "" {
			as = append(as, slog.String(KeyGoogleTrace, "projects/"+h.o.Project+"/traces/"+f.TraceID))
			if f.SpanID != "" {
				as = append(as, slog.String(KeyGoogleSpan, f.SpanID))
			}
			as = append(as, slog.Bool(KeyGoogleSample, f.Sampled))
		}
	}
	return as
}

// merge appends the attributes of lists to dst, without the empty ones,
// with inline groups (an empty key) spliced in, and with one attribute
// per key: a later one replaces an earlier one in its place.
func merge(dst []slog.Attr, lists ...[]slog.Attr) []slog.Attr {
	for _, l := range lists {
		for _, a := range l {
			a.Value = a.Value.Resolve()
			switch {
			case a.Equal(slog.Attr{}):
				continue
			case a.Key == "" && a.Value.Kind() == slog.KindGroup:
				dst = merge(dst, a.Value.Group())
				continue
			case a.Value.Kind() == slog.KindGroup:
				g := merge(nil, a.Value.Group())
				if len(g) == 0 {
					continue
				}
				a.Value = slog.GroupValue(g...)
			}
			if i := slices.IndexFunc(dst, func(b slog.Attr) bool { return b.Key == a.Key }); i >= 0 {
				dst[i] = a
			} else {
				dst = append(dst, a)
			}
		}
	}
	return dst
}

// reserved reports whether the shape writes key itself at the top level.
func reserved(s Shape, key string) bool {
	switch key {
	case slog.TimeKey, slog.LevelKey, slog.MessageKey, slog.SourceKey:
		return true
	}
	switch s {
	case Lambda:
		return key == "timestamp" || key == "message" || key == KeyRequestID || key == KeyXRayTraceID
	case CloudLogging:
		return key == "timestamp" || key == "message" || key == "severity" ||
			strings.HasPrefix(key, "logging.googleapis.com/")
	}
	return false
}

// replacer returns the ReplaceAttr of a shape: it renames slog's own keys
// and levels. Records never hold a top-level attribute with one of those
// keys (Handle escapes them), so only slog's own are renamed.
func replacer(s Shape) func([]string, slog.Attr) slog.Attr {
	levelKey, sourceKey, names := slog.LevelKey, slog.SourceKey, &lambdaLevels
	switch s {
	case Lambda:
	case CloudLogging:
		levelKey, sourceKey, names = "severity", KeyGoogleSource, &severityLevels
	default:
		return nil
	}
	return func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) > 0 {
			return a
		}
		switch a.Key {
		case slog.TimeKey:
			a.Key = "timestamp"
		case slog.MessageKey:
			a.Key = "message"
		case slog.LevelKey:
			a.Key, a.Value = levelKey, slog.StringValue(levelName(a.Value, names))
		case slog.SourceKey:
			a.Key = sourceKey
		}
		return a
	}
}

// The level names of the shapes, from the lowest bucket (below Debug) to
// the highest (Error+4 and above): Lambda's log-level filtering's, and
// Cloud Logging's LogSeverity.
var (
	lambdaLevels   = [6]string{"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}
	severityLevels = [6]string{"DEBUG", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
)

// levelName returns the name of the bucket v's level falls in.
func levelName(v slog.Value, names *[6]string) string {
	l, _ := v.Any().(slog.Level)
	switch {
	case l < slog.LevelDebug:
		return names[0]
	case l < slog.LevelInfo:
		return names[1]
	case l < slog.LevelWarn:
		return names[2]
	case l < slog.LevelError:
		return names[3]
	case l < slog.LevelError+4:
		return names[4]
	}
	return names[5]
}
