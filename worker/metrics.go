package worker

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// The SDK reports what a deploy needs watched — workflow task failures
// (a non-determinism shows as temporal_workflow_task_execution_failed_total),
// schedule-to-start latency, the sticky cache — through a MetricsHandler.
// NewMetricsHandler puts them on the program's own Prometheus registry,
// beside its HTTP metrics, named as Temporal's SDK dashboards expect:
// counters end in _total, timers are histograms in seconds.

// NewMetricsHandler returns a client.MetricsHandler whose metrics reg
// exports. Give it to client.Options.MetricsHandler; the workers of that
// client report through it too.
func NewMetricsHandler(reg prometheus.Registerer) (client.MetricsHandler, error) {
	c := &sdkMetrics{series: map[string]*sdkSeries{}}
	if err := reg.Register(c); err != nil {
		return nil, err
	}
	return &metricsHandler{metrics: c}, nil
}

// timerBuckets cover a workflow task (milliseconds) to a stuck poll or a
// long activity (a minute).
var timerBuckets = []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

type metricsHandler struct {
	metrics *sdkMetrics
	tags    map[string]string
}

func (h *metricsHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := maps.Clone(h.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, tags)
	return &metricsHandler{metrics: h.metrics, tags: merged}
}

func (h *metricsHandler) Counter(name string) client.MetricsCounter {
	s := h.metrics.get(prometheus.CounterValue, name+"_total", h.tags)
	return counterFunc(func(d int64) { s.add(float64(d)) })
}

func (h *metricsHandler) Gauge(name string) client.MetricsGauge {
	s := h.metrics.get(prometheus.GaugeValue, name, h.tags)
	return gaugeFunc(s.set)
}

func (h *metricsHandler) Timer(name string) client.MetricsTimer {
	s := h.metrics.get(prometheus.UntypedValue, name+"_seconds", h.tags)
	return timerFunc(func(d time.Duration) { s.observe(d.Seconds()) })
}

type counterFunc func(int64)

func (f counterFunc) Inc(d int64) { f(d) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(time.Duration)

func (f timerFunc) Record(d time.Duration) { f(d) }

// sdkMetrics holds every series the SDK has reported. The SDK names the
// same metric with different tag sets in different places, which the
// fixed label sets of prometheus.*Vec cannot take; an unchecked collector
// can.
type sdkMetrics struct {
	mu     sync.Mutex
	series map[string]*sdkSeries // by name and labels
}

type sdkSeries struct {
	kind   prometheus.ValueType // UntypedValue stands for a histogram
	desc   *prometheus.Desc
	values []string
	mu     sync.Mutex
	value  float64  // counter, gauge; histogram sum
	count  uint64   // histogram
	counts []uint64 // histogram, per bucket (not cumulative)
}

func (m *sdkMetrics) get(kind prometheus.ValueType, name string, tags map[string]string) *sdkSeries {
	name = promName(name)
	keys := slices.Sorted(maps.Keys(tags))
	labels := make([]string, len(keys))
	values := make([]string, len(keys))
	var id strings.Builder
	id.WriteString(name)
	for i, k := range keys {
		labels[i], values[i] = promName(k), tags[k]
		id.WriteString("\x00" + labels[i] + "=" + values[i])
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.series[id.String()]; ok {
		return s
	}
	s := &sdkSeries{kind: kind, values: values,
		desc: prometheus.NewDesc(name, "Temporal Go SDK metric "+name+".", labels, nil)}
	if kind == prometheus.UntypedValue {
		s.counts = make([]uint64, len(timerBuckets))
	}
	m.series[id.String()] = s
	return s
}

func (s *sdkSeries) add(d float64) {
	s.mu.Lock()
	s.value += d
	s.mu.Unlock()
}

func (s *sdkSeries) set(v float64) {
	s.mu.Lock()
	s.value = v
	s.mu.Unlock()
}

func (s *sdkSeries) observe(v float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.value += v
	s.count++
	if i, _ := slices.BinarySearch(timerBuckets, v); i < len(timerBuckets) {
		s.counts[i]++
	}
}

// Describe sends nothing: the collector is unchecked, its series appear
// as the SDK reports them.
func (m *sdkMetrics) Describe(chan<- *prometheus.Desc) {}

func (m *sdkMetrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	all := slices.Collect(maps.Values(m.series))
	m.mu.Unlock()
	for _, s := range all {
		s.mu.Lock()
		if s.kind == prometheus.UntypedValue {
			buckets := make(map[float64]uint64, len(timerBuckets))
			var cum uint64
			for i, le := range timerBuckets {
				cum += s.counts[i]
				buckets[le] = cum
			}
			ch <- prometheus.MustNewConstHistogram(s.desc, s.count, s.value, buckets, s.values...)
		} else {
			ch <- prometheus.MustNewConstMetric(s.desc, s.kind, s.value, s.values...)
		}
		s.mu.Unlock()
	}
}

// promName makes a Prometheus metric or label name of an SDK one.
func promName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == ':' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return '_'
	}, s)
}
