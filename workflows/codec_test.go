package workflows_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/workflows"
)

func TestPayloadCodecSealsAndOpens(t *testing.T) {
	codec, err := workflows.NewPayloadCodec(workflows.PayloadKey("rahasia-aplikasi-yang-panjang-sekali-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	dc := converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), codec)
	msg := hailurah.CitizenMessage{ID: "wamid.1", Text: "Rumah saya kebanjiran, Jalan Mawar 12."}
	p, err := dc.ToPayload(msg)
	if err != nil {
		t.Fatal(err)
	}
	if enc := string(p.Metadata[converter.MetadataEncoding]); enc != workflows.MetadataEncodingEncrypted || bytes.Contains(p.Data, []byte("Mawar")) {
		t.Fatalf("sealed payload: encoding %q, data %q", enc, p.Data)
	}
	var back hailurah.CitizenMessage
	if err := dc.FromPayload(p, &back); err != nil || back.Text != msg.Text || back.ID != msg.ID {
		t.Fatalf("opened: %+v, %v", back, err)
	}

	// A payload written before the codec existed passes through.
	plain, _ := converter.GetDefaultDataConverter().ToPayload(msg)
	out, err := codec.Decode([]*commonpb.Payload{plain})
	if err != nil || out[0] != plain {
		t.Fatalf("an unsealed payload: %v, %v", out, err)
	}

	// Another key says so, instead of a bare authentication failure.
	other, _ := workflows.NewPayloadCodec(workflows.PayloadKey("kunci-lain-yang-juga-panjang-sekali-0123456789"))
	if _, err := other.Decode([]*commonpb.Payload{p}); err == nil || !strings.Contains(err.Error(), "HAILURAH_PAYLOAD_KEY or HAILURAH_SECRET differs") {
		t.Fatalf("another key: %v", err)
	}
}

// TestReplayRecordedHistoriesThroughTheCodec: the histories recorded before
// payloads were sealed replay on a worker whose data converter seals them.
func TestReplayRecordedHistoriesThroughTheCodec(t *testing.T) {
	codec, _ := workflows.NewPayloadCodec(workflows.PayloadKey("rahasia-aplikasi-yang-panjang-sekali-0123456789"))
	r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{
		DataConverter: converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), codec),
	})
	if err != nil {
		t.Fatal(err)
	}
	r.RegisterWorkflowWithOptions(workflows.CurhatWorkflow, workflow.RegisterOptions{Name: "CurhatWorkflow"})
	r.RegisterWorkflow(workflows.DigestWorkflow)
	r.RegisterWorkflow(workflows.GrantWorkflow)
	r.RegisterWorkflow(workflows.PilotReviewWorkflow)
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, f := range files {
		if err := r.ReplayWorkflowHistoryFromJSONFile(quietLogger(), f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if len(files) < 10 {
		t.Errorf("only %d recorded histories", len(files))
	}
}
