package rules

import (
	"fmt"
	"math"
	"slices"

	"flowsift/detect/alert"
)

// beaconScore is RITA's score for a series of connections (activecm/rita
// analysis/beacons.go), from the two parts that need no multi-hour
// histogram: regularity of the intervals between connections and of the
// bytes each carried. Each part averages a Bowley-skewness score and a
// median-absolute-deviation score; 1 is a perfect beacon.
func beaconScore(ts []int64, bytes []float64) (score, tsScore, dsScore float64) {
	intervals := make([]float64, 0, len(ts)-1)
	for i := 1; i < len(ts); i++ {
		intervals = append(intervals, float64(ts[i]-ts[i-1])/1e9)
	}
	tsScore = regularity(intervals, 10)
	dsScore = regularity(bytes, 10)
	return (tsScore + dsScore) / 2, tsScore, dsScore
}

// regularity averages RITA's skewness and dispersion scores of a series.
// Following RITA, skewness counts as 0 when the interquartile range is
// below minIQR or the median equals a quartile.
func regularity(x []float64, minIQR float64) float64 {
	if len(x) < 3 {
		return 0
	}
	s := slices.Clone(x)
	slices.Sort(s)
	q1, q2, q3 := quantile(s, 0.25), quantile(s, 0.5), quantile(s, 0.75)
	skew := 0.0
	if q3-q1 >= minIQR && q2 != q1 && q2 != q3 {
		skew = (q1 + q3 - 2*q2) / (q3 - q1)
	}
	skewScore := 1 - math.Abs(skew)
	dev := make([]float64, len(s))
	for i, v := range s {
		dev[i] = math.Abs(v - q2)
	}
	slices.Sort(dev)
	mad := quantile(dev, 0.5)
	madScore := 0.0
	if q2 > 0 {
		madScore = max(0, (q2-mad)/q2)
	}
	return (skewScore + madScore) / 2
}

// quantile interpolates linearly in a sorted slice.
func quantile(s []float64, q float64) float64 {
	if len(s) == 0 {
		return 0
	}
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(s)-1)
	return s[lo] + (s[hi]-s[lo])*(pos-float64(lo))
}

func beaconing(d *Data, c *Config, rc *runCtx) []alert.Alert {
	fl := &d.Flows
	s := c.Beaconing
	groups, order := pairGroups(fl.N, func(i int) (uint64, bool) {
		// Only connections that were answered: one-way streams (floods,
		// reflection) repeat too, but are not command-and-control.
		ok := (fl.Proto[i] == 6 || fl.Proto[i] == 17) && fl.RespPkts[i] > 0 && fl.OrigPkts[i] > 0 &&
			!slices.Contains(s.ExcludePorts, fl.RespP[i]) && !rc.isExcluded(fl.Orig[i])
		return pack(fl.Orig[i], fl.Resp[i]), ok
	})
	var out []alert.Alert
	for _, g := range order {
		rows := groups[g]
		if int64(len(rows)) < s.MinConnections {
			continue
		}
		slices.SortFunc(rows, func(a, b int32) int { return int(fl.TS[a] - fl.TS[b]) })
		ts := make([]int64, len(rows))
		bytes := make([]float64, len(rows))
		for i, r := range rows {
			ts[i] = fl.TS[r]
			bytes[i] = float64(fl.OrigIPBytes[r])
		}
		median := medianInterval(ts)
		if median < 1 {
			continue // bursts of connections, not a beacon
		}
		score, tsScore, dsScore := beaconScore(ts, bytes)
		if score < s.MinScore {
			continue
		}
		src, dst := unpack(g)
		ports := map[int32]float64{}
		for _, r := range rows {
			ports[fl.RespP[r]]++
		}
		first, last := rc.span(rows)
		ev, total := rc.flowEvidence(rows)
		a := alert.Alert{
			TsFirst: first, TsLast: last,
			Name:       fmt.Sprintf("Beaconing from %s to %s", rc.host(src), rc.host(dst)),
			Confidence: min(0.99, score),
			Src:        []string{rc.host(src)}, Dst: []string{rc.host(dst)},
			Count: int64(len(rows)), CountUnit: "connections", Threshold: ptr(s.MinScore),
			Evidence: ev, EvidenceTotal: total,
			Description: fmt.Sprintf("%d connections from %s to %s about every %.0f s with similar sizes: beacon score %.2f (timing %.2f, size %.2f; threshold %.2f)",
				len(rows), rc.host(src), rc.host(dst), median, score, tsScore, dsScore, s.MinScore),
			Details: details(map[string]any{"score": score, "timing_score": tsScore, "size_score": dsScore, "median_interval_s": median}),
		}
		if p, ok := dominant(ports, 0.8); ok {
			a.DstPort = ptr(p)
		}
		out = append(out, a)
	}
	return out
}

func medianInterval(ts []int64) float64 {
	iv := make([]float64, 0, len(ts)-1)
	for i := 1; i < len(ts); i++ {
		iv = append(iv, float64(ts[i]-ts[i-1])/1e9)
	}
	slices.Sort(iv)
	return quantile(iv, 0.5)
}
