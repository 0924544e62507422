package cehttp

import (
	"net/http"
	"sort"
	"strings"

	"github.com/cloudevents/sdk-go/v2/event"
)

// Attributes returns e's context attributes and extensions as a message
// binding's binary mode carries them (SNS and SQS message attributes,
// Service Bus application properties, Pub/Sub attributes): pairs of a
// lower-case attribute name and its canonical string form, datacontenttype
// included, sorted by name. Its checks and errors are SetBinaryHeaders'.
func Attributes(e *event.Event) ([][2]string, error) {
	h := http.Header{}
	if err := SetBinaryHeaders(h, e); err != nil {
		return nil, err
	}
	out := make([][2]string, 0, len(h))
	for k, vs := range h {
		if len(vs) == 0 {
			continue
		}
		if k == "Content-Type" {
			out = append(out, [2]string{"datacontenttype", vs[0]})
			continue
		}
		suffix, ok := strings.CutPrefix(k, "Ce-")
		if !ok {
			continue
		}
		v, err := DecodeHeaderValue(vs[0])
		if err != nil {
			return nil, err
		}
		out = append(out, [2]string{attributeName(suffix), v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out, nil
}
