package tracectx

// IDs are a traceparent's ids in binary, as OpenTelemetry holds them.
type IDs struct {
	Trace   [16]byte
	Span    [8]byte
	Sampled bool // the sampled flag
}

// unhex maps a lower-case hexadecimal digit to its value and every other
// byte to badDigit.
var unhex = func() (t [256]byte) {
	for i := range t {
		t[i] = badDigit
	}
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c - '0'
	}
	for c := byte('a'); c <= 'f'; c++ {
		t[c] = c - 'a' + 10
	}
	return t
}()

const (
	badDigit = 0x10
	hexDigit = "0123456789abcdef"
)

// ParseIDs reads a traceparent as Parse does, with the same checks, and
// returns its ids decoded, in one pass and without allocating.
func ParseIDs(tp string) (ids IDs, ok bool) {
	if len(tp) < 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-' || tp[:2] == "ff" {
		return ids, false
	}
	if tp[:2] == "00" && len(tp) != 55 || len(tp) > 55 && tp[55] != '-' {
		return ids, false
	}
	trace := decodeHex(ids.Trace[:], tp[3:35]) // 0 for an all-zero id
	span := decodeHex(ids.Span[:], tp[36:52])
	bad := unhex[tp[0]] | unhex[tp[1]] | unhex[tp[53]] | unhex[tp[54]] | trace | span
	if bad&badDigit != 0 || trace == 0 || span == 0 {
		return IDs{}, false
	}
	ids.Sampled = unhex[tp[54]]&1 == 1
	return ids, true
}

// decodeHex decodes the hexadecimal digits of src into dst, len(src)/2
// bytes, and returns unhex of every digit ORed: 0 for all zeros, with
// badDigit set when a byte is no lower-case hexadecimal digit.
func decodeHex(dst []byte, src string) (or byte) {
	for i := range dst {
		hi, lo := unhex[src[2*i]], unhex[src[2*i+1]]
		dst[i] = hi<<4 | lo
		or |= hi | lo
	}
	return or
}

// Put writes ids as a version 00 traceparent into b.
func (ids *IDs) Put(b *[55]byte) {
	b[0], b[1], b[2] = '0', '0', '-'
	t := b[3:35]
	for i, c := range ids.Trace {
		d := hexPair[c]
		t[2*i], t[2*i+1] = d[0], d[1]
	}
	b[35] = '-'
	p := b[36:52]
	for i, c := range ids.Span {
		d := hexPair[c]
		p[2*i], p[2*i+1] = d[0], d[1]
	}
	b[52], b[53], b[54] = '-', '0', '0'
	if ids.Sampled {
		b[54] = '1'
	}
}

// hexPair holds each byte's two hexadecimal digits.
var hexPair = func() (t [256][2]byte) {
	for i := range t {
		t[i] = [2]byte{hexDigit[i>>4], hexDigit[i&0xf]}
	}
	return t
}()

// String returns ids as a version 00 traceparent.
func (ids IDs) String() string {
	var b [55]byte
	ids.Put(&b)
	return string(b[:])
}
