package httpserve

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
)

// server serves h with o on a free port until the test ends, and returns
// its address and its logs.
func server(t *testing.T, h http.Handler, o Options) (string, *syncBuf, chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuf{}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, ln, h, slog.New(slog.NewTextHandler(logs, nil)), o) }()
	t.Cleanup(func() {
		cancel()
		<-served
	})
	return ln.Addr().String(), logs, served
}

// closedWithin reports how long c took to be closed by the server, reading
// and dropping what it sends; it fails the test after limit.
func closedWithin(t *testing.T, c net.Conn, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	_ = c.SetReadDeadline(start.Add(limit))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server kept the connection open for %s", limit)
	}
	return time.Since(start)
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestTimeouts: a slow body, a silent connection and an idle keep-alive
// are each closed at their bound.
func TestTimeouts(t *testing.T) {
	bodyErr := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		if r.ContentLength > 0 {
			bodyErr <- err
		}
		io.WriteString(w, "ok")
	})
	limits := Limits{ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 400 * time.Millisecond, IdleTimeout: 300 * time.Millisecond}
	addr, _, _ := server(t, h, Options{Limits: limits})
	tests := []struct {
		name  string
		start func(c net.Conn)
		want  time.Duration // the bound that closes it
	}{
		{"slow body at 1 byte per 100 ms", func(c net.Conn) {
			fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
			go func() {
				for i := 0; i < 1000; i++ {
					if _, err := c.Write([]byte{'x'}); err != nil {
						return
					}
					time.Sleep(100 * time.Millisecond)
				}
			}()
		}, limits.ReadTimeout},
		{"no request header", func(net.Conn) {}, limits.ReadHeaderTimeout},
		{"half a request header", func(c net.Conn) { io.WriteString(c, "GET / HTTP/1.1\r\nHost:") }, limits.ReadHeaderTimeout},
		{"idle keep-alive", func(c net.Conn) {
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil || resp.StatusCode != 200 {
				t.Errorf("first request: %v %v", resp, err)
			}
		}, limits.IdleTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			tt.start(c)
			if d := closedWithin(t, c, 5*time.Second); d > tt.want+time.Second {
				t.Errorf("closed after %s, want about %s", d, tt.want)
			}
		})
	}
	select {
	case err := <-bodyErr:
		if err == nil {
			t.Error("the handler read the whole slow body")
		}
	case <-time.After(time.Second):
		t.Error("the handler of the slow body did not end")
	}
}

// TestFlood: with more idle connections than MaxConns, the server closes
// the longest waiting ones and keeps answering new ones at once.
func TestFlood(t *testing.T) {
	const max, flood = 50, 600
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	addr, logs, _ := server(t, h, Options{Limits: Limits{MaxConns: max}})
	conns := make([]net.Conn, flood)
	for i := range conns {
		conns[i] = dial(t, addr)
		if i%2 == 0 { // half idle keep-alives, half silent
			io.WriteString(conns[i], "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			if _, err := http.ReadResponse(bufio.NewReader(conns[i]), nil); err != nil {
				t.Fatalf("connection %d: %v", i, err)
			}
		}
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	start := time.Now()
	resp, err := client.Get("http://" + addr)
	if err != nil {
		t.Fatalf("a new client under a flood of %d connections: %v", flood, err)
	}
	resp.Body.Close()
	if d := time.Since(start); d > time.Second {
		t.Errorf("answered after %s under a flood of %d connections", d, flood)
	}
	closed := 0
	for _, c := range conns[:flood-max] {
		_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if _, err := c.Read(make([]byte, 1)); err == io.EOF {
			closed++
		}
	}
	if closed < flood-2*max {
		t.Errorf("%d of the %d oldest connections closed, want them all but a few", closed, flood-max)
	}
	if !strings.Contains(logs.String(), "too many connections") {
		t.Errorf("no log line about closed connections:\n%s", logs.String())
	}
}

// TestDrainCancels: at the drain deadline, a request still running has its
// context cancelled with ErrDraining and answers; one that ignores the
// cancellation is cut, and Serve says so.
func TestDrainCancels(t *testing.T) {
	tests := []struct {
		name       string
		ignore     bool // the handler ignores its context
		wantStatus int
		wantErr    string
	}{
		{"handler stops", false, http.StatusServiceUnavailable, ""},
		{"handler ignores the cancellation", true, 0, "requests still running"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			started := make(chan struct{})
			release := make(chan struct{})
			defer close(release)
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				close(started)
				if tt.ignore {
					<-release
					return
				}
				<-r.Context().Done()
				http.Error(w, context.Cause(r.Context()).Error(), http.StatusServiceUnavailable)
			})
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			var logs syncBuf
			ctx, cancel := context.WithCancel(context.Background())
			served := make(chan error, 1)
			go func() {
				served <- Serve(ctx, ln, h, slog.New(slog.NewTextHandler(&logs, nil)), Options{ShutdownTimeout: 500 * time.Millisecond})
			}()
			type result struct {
				status int
				body   string
			}
			got := make(chan result, 1)
			go func() {
				resp, err := http.Get("http://" + ln.Addr().String())
				if err != nil {
					got <- result{}
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				got <- result{resp.StatusCode, string(b)}
			}()
			<-started
			begin := time.Now()
			cancel()
			r := <-got
			if r.status != tt.wantStatus || (r.status != 0 && !strings.Contains(r.body, ErrDraining.Error())) {
				t.Errorf("answer %d %q, want %d with the cause", r.status, r.body, tt.wantStatus)
			}
			err = <-served
			if d := time.Since(begin); d > 2*time.Second {
				t.Errorf("shutdown took %s for a timeout of 500ms", d)
			}
			if (tt.wantErr == "" && err != nil) || (tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr))) {
				t.Errorf("Serve: %v, want %q", err, tt.wantErr)
			}
			if !strings.Contains(logs.String(), `msg="drain deadline reached: cancelling the requests still running" requests=1`) {
				t.Errorf("logs lack the cancellation:\n%s", logs.String())
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		env     map[string]string
		want    Limits
		wantErr string
	}{
		{env: map[string]string{}, want: Limits{}},
		{env: map[string]string{EnvReadTimeout: "30s", EnvWriteTimeout: "10m", EnvIdleTimeout: "1m30s", EnvMaxConns: "500"},
			want: Limits{ReadTimeout: 30 * time.Second, WriteTimeout: 10 * time.Minute, IdleTimeout: 90 * time.Second, MaxConns: 500}},
		{env: map[string]string{EnvReadTimeout: "30"}, wantErr: `POLYFN_READ_TIMEOUT="30" is not a positive duration`},
		{env: map[string]string{EnvIdleTimeout: "-1s"}, wantErr: `POLYFN_IDLE_TIMEOUT="-1s"`},
		{env: map[string]string{EnvMaxConns: "many"}, wantErr: `POLYFN_MAX_CONNS="many" is not a positive number`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.env), func(t *testing.T) {
			for _, k := range []string{EnvReadTimeout, EnvWriteTimeout, EnvIdleTimeout, EnvMaxConns} {
				t.Setenv(k, tt.env[k])
			}
			got, err := FromEnv()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestWriteTimeoutFor(t *testing.T) {
	fn := func(d time.Duration) *core.Function { return &core.Function{Timeout: d} }
	tests := []struct {
		platform, grace time.Duration
		fns             []*core.Function
		want            time.Duration
	}{
		{0, 0, nil, DefaultRequestTimeout + WriteGrace},
		{time.Minute, 0, []*core.Function{fn(0), fn(30 * time.Second)}, time.Minute + WriteGrace},
		{time.Minute, time.Minute, []*core.Function{fn(20 * time.Minute)}, 21 * time.Minute},
	}
	for _, tt := range tests {
		if got := WriteTimeoutFor(tt.platform, tt.grace, tt.fns); got != tt.want {
			t.Errorf("WriteTimeoutFor(%s, ...) = %s, want %s", tt.platform, got, tt.want)
		}
	}
}

func TestDefaultMaxConns(t *testing.T) {
	n := DefaultMaxConns()
	if want := min(max(openFileLimit()/2, 32), MaxDefaultConns); n != want || n < 32 {
		t.Errorf("DefaultMaxConns() = %d, want %d", n, want)
	}
}
