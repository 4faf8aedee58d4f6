package worker_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hailurah/hailurah/worker"
)

// TestMetricsHandler: the SDK names one metric with different tag sets in
// different places; the registry exports each series, named as Temporal's
// SDK dashboards expect.
func TestMetricsHandler(t *testing.T) {
	reg := prometheus.NewRegistry()
	h, err := worker.NewMetricsHandler(reg)
	if err != nil {
		t.Fatal(err)
	}
	wt := h.WithTags(map[string]string{"namespace": "default", "task_queue": "hailurah"})
	wt.WithTags(map[string]string{"workflow_type": "CurhatWorkflow", "failure_reason": "NonDeterminismError"}).
		Counter("temporal_workflow_task_execution_failed").Inc(2)
	wt.Counter("temporal_workflow_task_execution_failed").Inc(1)
	h.Gauge("temporal_sticky_cache_size").Update(7)
	wt.Timer("temporal_workflow_task_schedule_to_start_latency").Record(30 * time.Millisecond)
	wt.Timer("temporal_workflow_task_schedule_to_start_latency").Record(2 * time.Minute)

	got := map[string]float64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			key := mf.GetName() + "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.GetCounter() != nil:
				got[key] = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				got[key] = m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				got[key+" count"] = float64(m.GetHistogram().GetSampleCount())
				got[key+" le 0.05"] = float64(m.GetHistogram().GetBucket()[4].GetCumulativeCount())
			}
		}
	}
	for key, want := range map[string]float64{
		"temporal_sticky_cache_size{}": 7,
		"temporal_workflow_task_execution_failed_total{namespace=default,task_queue=hailurah}":                                                                 1,
		"temporal_workflow_task_execution_failed_total{failure_reason=NonDeterminismError,namespace=default,task_queue=hailurah,workflow_type=CurhatWorkflow}": 2,
		"temporal_workflow_task_schedule_to_start_latency_seconds{namespace=default,task_queue=hailurah} count":                                                2,
		"temporal_workflow_task_schedule_to_start_latency_seconds{namespace=default,task_queue=hailurah} le 0.05":                                              1,
	} {
		if got[key] != want {
			t.Errorf("%s = %v, want %v", key, got[key], want)
		}
	}
	if len(got) != 5 {
		t.Errorf("series: %v", got)
	}
}
