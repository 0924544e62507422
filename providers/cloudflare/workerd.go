package cloudflare

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"

	"github.com/polyfn/polyfn/core"
)

// DriverFlag is the compatibility flag a driver Worker needs to call a
// service binding's scheduled() and queue() (workerd --experimental).
const DriverFlag = "service_binding_extra_handlers"

// DefaultAddress is the address workerd.capnp listens on; workerd's
// --socket-addr http=HOST:PORT overrides it.
const DefaultAddress = "127.0.0.1:8787"

// Workerd returns workerd.capnp for app: the Worker of the files
// polyfn build writes (ShimFile, WasmExecFile, WasmFile, embedded from the
// folder of the config), its settings' defaults and o.Vars as text
// bindings, each of o.KV as a KV namespace kept in memory by KVFile,
// served on the socket "http" at DefaultAddress. Run it with
//
//	workerd serve workerd.capnp --socket-addr http=127.0.0.1:PORT
//
// driver, when not empty, names an ES module served on "http" instead,
// with the App's Worker as its service binding APP and the DriverFlag
// compatibility flag (workerd serve --experimental): polyfn invoke's way
// to fire the App's scheduled and queue handlers.
func Workerd(app *core.App, o Options, driver string) ([]byte, error) {
	o, err := o.check()
	if err != nil {
		return nil, err
	}
	vars := map[string]string{}
	for _, s := range app.Settings() {
		if !s.Secret && s.Default != "" {
			vars[s.Name] = s.Default
		}
	}
	for k, v := range o.Vars {
		if k == "" {
			return nil, errorf("a var with no name")
		}
		vars[k] = v
	}
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s for the Worker %s, written by polyfn build --provider cloudflare.\n", WorkerdFile, o.Name)
	fmt.Fprintf(&b, "# Serve it locally: workerd serve %s --socket-addr http=127.0.0.1:PORT\n", WorkerdFile)
	b.WriteString("using Workerd = import \"/workerd/workerd.capnp\";\n\n")
	b.WriteString("const config :Workerd.Config = (\n  services = [\n    (name = \"app\", worker = .app),\n")
	serve := "app"
	if driver != "" {
		b.WriteString("    (name = \"driver\", worker = .driver),\n")
		serve = "driver"
	}
	for _, kv := range o.KV {
		fmt.Fprintf(&b, "    (name = %s, worker = (modules = [ (name = %s, esModule = embed %s) ], compatibilityDate = %s)),\n",
			capnpString("kv-"+kv), capnpString(KVFile), capnpString(KVFile), capnpString(o.CompatibilityDate))
	}
	fmt.Fprintf(&b, "  ],\n  sockets = [ (name = \"http\", address = %s, http = (), service = %q) ],\n);\n\n", capnpString(DefaultAddress), serve)
	b.WriteString("const app :Workerd.Worker = (\n  modules = [\n")
	fmt.Fprintf(&b, "    (name = %s, esModule = embed %s),\n", capnpString(ShimFile), capnpString(ShimFile))
	fmt.Fprintf(&b, "    (name = %s, esModule = embed %s),\n", capnpString(WasmExecFile), capnpString(WasmExecFile))
	fmt.Fprintf(&b, "    (name = %s, wasm = embed %s),\n", capnpString(WasmFile), capnpString(WasmFile))
	fmt.Fprintf(&b, "  ],\n  compatibilityDate = %s,\n", capnpString(o.CompatibilityDate))
	if len(names)+len(o.KV) > 0 {
		b.WriteString("  bindings = [\n")
		for _, k := range names {
			fmt.Fprintf(&b, "    (name = %s, text = %s),\n", capnpString(k), capnpString(vars[k]))
		}
		for _, kv := range o.KV {
			fmt.Fprintf(&b, "    (name = %s, kvNamespace = %s),\n", capnpString(kv), capnpString("kv-"+kv))
		}
		b.WriteString("  ],\n")
	}
	b.WriteString(");\n")
	if driver != "" {
		b.WriteString("\nconst driver :Workerd.Worker = (\n")
		fmt.Fprintf(&b, "  modules = [ (name = %s, esModule = embed %s) ],\n", capnpString(driver), capnpString(driver))
		fmt.Fprintf(&b, "  compatibilityDate = %s,\n  compatibilityFlags = [%s],\n", capnpString(o.CompatibilityDate), capnpString(DriverFlag))
		b.WriteString("  bindings = [ (name = \"APP\", service = \"app\") ],\n);\n")
	}
	return b.Bytes(), nil
}

// capnpString quotes s as a Cap'n Proto text literal.
func capnpString(s string) string {
	var b []byte
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c < 0x20 || c == 0x7f:
			b = append(b, `\x`...)
			b = strconv.AppendUint(append(b, "0123456789abcdef"[c>>4]), uint64(c&0xf), 16)
		default:
			b = append(b, c)
		}
	}
	return string(append(b, '"'))
}
