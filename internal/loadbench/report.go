package main

import (
	"fmt"
	"io"
	"slices"
)

// A pair is one polyfn run and the bare run next to it in time.
type pair struct{ polyfn, bare sample }

func (p pair) cpuRatio() float64  { return p.polyfn.cpuPerRequest() / p.bare.cpuPerRequest() }
func (p pair) rateRatio() float64 { return p.polyfn.perSecond() / p.bare.perSecond() }

// A cell is every pair of one adapter at one number of connections.
type cell struct {
	adapter string
	conns   int
	pairs   []pair
}

// median returns the median of xs (the mean of the middle two for an even
// count), or 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

func collect(ps []pair, f func(pair) float64) []float64 {
	xs := make([]float64, len(ps))
	for i, p := range ps {
		xs[i] = f(p)
	}
	return xs
}

// report writes the results as two Markdown tables: every adapter at every
// number of connections (medians over the rounds; ratios are medians of the
// ratios of the pairs, which ran next to each other), then one line per
// adapter (the median over every pair) checked against budget.
func report(w io.Writer, cells []cell, budget float64) {
	fmt.Fprintln(w, "| adapter | conns | req/s polyfn | req/s bare | req/s ratio | CPU µs/req polyfn | CPU µs/req bare | CPU ratio | CPU ratio min–max |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	worst := map[string]float64{}
	for _, c := range cells {
		ratios := collect(c.pairs, pair.cpuRatio)
		r := median(ratios)
		worst[c.adapter] = max(worst[c.adapter], r)
		fmt.Fprintf(w, "| %s | %d | %.0f | %.0f | %.2f× | %.1f | %.1f | **%.2f×** | %.2f–%.2f |\n",
			c.adapter, c.conns,
			median(collect(c.pairs, func(p pair) float64 { return p.polyfn.perSecond() })),
			median(collect(c.pairs, func(p pair) float64 { return p.bare.perSecond() })),
			median(collect(c.pairs, pair.rateRatio)),
			median(collect(c.pairs, func(p pair) float64 { return p.polyfn.cpuPerRequest() })),
			median(collect(c.pairs, func(p pair) float64 { return p.bare.cpuPerRequest() })),
			r, slices.Min(ratios), slices.Max(ratios))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "| adapter | median CPU ratio (all pairs) | worst level | median req/s ratio | CPU budget ≤ %.2f× |\n", budget)
	fmt.Fprintln(w, "|---|---:|---:|---:|---|")
	order, byAdapter := groupByAdapter(cells)
	for _, a := range order {
		r := median(collect(byAdapter[a], pair.cpuRatio))
		verdict := "within"
		if r > budget {
			verdict = "**over**"
		}
		fmt.Fprintf(w, "| %s | **%.2f×** | %.2f× | %.2f× | %s |\n",
			a, r, worst[a], median(collect(byAdapter[a], pair.rateRatio)), verdict)
	}
}

// overBudget returns the adapters whose median CPU ratio is above budget.
func overBudget(cells []cell, budget float64) []string {
	order, byAdapter := groupByAdapter(cells)
	var over []string
	for _, a := range order {
		if median(collect(byAdapter[a], pair.cpuRatio)) > budget {
			over = append(over, a)
		}
	}
	return over
}

// groupByAdapter returns the adapters in the order of cells, and every pair
// of each.
func groupByAdapter(cells []cell) ([]string, map[string][]pair) {
	var order []string
	byAdapter := map[string][]pair{}
	for _, c := range cells {
		if _, ok := byAdapter[c.adapter]; !ok {
			order = append(order, c.adapter)
		}
		byAdapter[c.adapter] = append(byAdapter[c.adapter], c.pairs...)
	}
	return order, byAdapter
}
