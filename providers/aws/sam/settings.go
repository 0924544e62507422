package sam

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/yamlout"
)

// settings returns the template's Parameters and the environment variables
// every function gets (Globals) for the App's declared settings. A plain
// setting is a String parameter, with the setting's default when it has
// one; a secret is a NoEcho parameter naming a Secrets Manager secret (by
// default, the setting's own name), which the variable resolves at deploy
// time through a dynamic reference. No value is ever written.
func (g *samGen) settings(settings []core.Setting) (params, env yamlout.Map, err error) {
	for _, s := range settings {
		id := parameterID(s.Name)
		if s.Secret {
			id += "Secret"
		}
		if _, err := g.claim(id, "setting "+s.Name); err != nil {
			return nil, nil, err
		}
		desc := s.Name
		if s.Description != "" {
			desc += ": " + s.Description
		}
		p := yamlout.Map{{Key: "Type", Value: "String"}}
		if s.Secret {
			p = append(p,
				yamlout.KV{Key: "NoEcho", Value: true},
				yamlout.KV{Key: "Default", Value: s.Name},
				yamlout.KV{Key: "Description", Value: "Secrets Manager secret (name or ARN) holding " + desc})
			env = append(env, yamlout.KV{Key: s.Name, Value: yamlout.Map{{Key: "Fn::Sub", Value: "{{resolve:secretsmanager:${" + id + "}}}"}}})
		} else {
			if !s.Required {
				p = append(p, yamlout.KV{Key: "Default", Value: s.Default})
			}
			p = append(p, yamlout.KV{Key: "Description", Value: desc})
			env = append(env, yamlout.KV{Key: s.Name, Value: yamlout.Map{{Key: "Ref", Value: id}}})
		}
		params = append(params, yamlout.KV{Key: id, Value: p})
	}
	return params, env, nil
}

// parameterID turns a setting name into a parameter's logical id in
// CamelCase: "SHOP_API_KEY" → "ShopApiKey".
func parameterID(name string) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(name, func(r rune) bool { return r == '_' }) {
		rs := []rune(word)
		if strings.ToUpper(word) == word {
			rs = []rune(strings.ToLower(word))
		}
		rs[0] = unicode.ToUpper(rs[0])
		b.WriteString(string(rs))
	}
	return logicalID(b.String())
}

// claim records that id names owner in the template and reports whether
// it is new; two different owners of one logical id (a queue "a-b" and a
// queue "a_b") are an error.
func (g *samGen) claim(id, owner string) (bool, error) {
	if have, ok := g.ids[id]; ok {
		if have != owner {
			return false, fmt.Errorf("%s and %s both map to the logical id %q: rename one", have, owner, id)
		}
		return false, nil
	}
	g.ids[id] = owner
	return true, nil
}
