package sam

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/providers/aws"
)

var wildcardRE = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// samPath converts a net/http.ServeMux route to an HTTP API path:
// "/orders/{id}" stays, "/files/{path...}" becomes "/files/{path+}", and a
// subtree "/api/" becomes "/api/{proxy+}".
func samPath(route string) (string, error) {
	if strings.Contains(route, "{$}") {
		return strings.ReplaceAll(route, "{$}", ""), nil
	}
	if strings.ContainsAny(route, "*") {
		return "", fmt.Errorf("route %q: HTTP API paths cannot hold *", route)
	}
	// A {name...} wildcard is greedy; {name} matches one segment in both.
	p := wildcardRE.ReplaceAllStringFunc(route, func(m string) string {
		if strings.HasSuffix(m, "...}") {
			return strings.TrimSuffix(m, "...}") + "+}"
		}
		return m
	})
	if strings.HasSuffix(p, "/") {
		if p == "/" {
			return "/{proxy+}", nil
		}
		p += "{proxy+}"
	}
	return p, nil
}

// Cron converts a five-field cron expression (core.ParseCron) to an
// EventBridge cron() expression: six fields with a year, one of the day
// fields "?", and weekdays as names, since EventBridge counts them from 1
// (Sunday) where cron counts from 0. Expressions that restrict both the day
// of the month and the day of the week, or step through weekdays, have no
// EventBridge equivalent and return an error that says so.
func Cron(expr string) (string, error) {
	c, err := core.ParseCron(expr)
	if err != nil {
		return "", err
	}
	dom, dow := c.DayOfMonth, c.DayOfWeek
	switch {
	case (dom == "*" || dom == "?") && (dow == "*" || dow == "?"):
		dom, dow = "*", "?"
	case dow == "*" || dow == "?":
		dow = "?"
	case dom == "*" || dom == "?":
		dom = "?"
	default:
		return "", fmt.Errorf("cron %q restricts both the day of the month and the day of the week; EventBridge allows one (use ? in the other)", expr)
	}
	if dow != "?" {
		if strings.Contains(dow, "/") {
			return "", fmt.Errorf("cron %q steps through weekdays, which EventBridge cannot express; list them instead", expr)
		}
		dow = weekdayNames(dow)
	}
	return fmt.Sprintf("cron(%s %s %s %s %s *)", c.Minute, c.Hour, dom, c.Month, dow), nil
}

var (
	weekdays  = [...]string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"}
	weekdayRE = regexp.MustCompile(`[0-7]`)
)

// weekdayNames replaces weekday numbers (0-7) with names.
func weekdayNames(field string) string {
	return weekdayRE.ReplaceAllStringFunc(field, func(d string) string { return weekdays[d[0]-'0'] })
}

// arnName returns the last part of an ARN: the queue, topic or stream name.
func arnName(arn string) string {
	if i := strings.LastIndexAny(arn, ":/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// dynamoTable returns the table name of a DynamoDB stream ARN.
func dynamoTable(arn string) string {
	_, rest, _ := strings.Cut(arn, ":table/")
	table, _, _ := strings.Cut(rest, "/")
	return table
}

// logicalID turns a name into a CloudFormation logical id: letters and
// digits only, each word capitalized ("order-placed" → "OrderPlaced").
func logicalID(name string) string {
	var b strings.Builder
	up := true
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) || r > unicode.MaxASCII {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 || !unicode.IsLetter(rune(b.String()[0])) {
		return "Fn" + b.String()
	}
	return b.String()
}

// isDynamoDBStream reports whether a stream trigger reads a DynamoDB stream,
// by the rule the Lambda adapter applies.
func isDynamoDBStream(t core.Trigger) bool {
	src, err := aws.SourceOf(&core.Function{Kind: core.EventFunction, Triggers: []core.Trigger{t}})
	return err == nil && len(src) == 1 && src[0] == aws.SourceDynamoDB
}
