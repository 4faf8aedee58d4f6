package triage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"google.golang.org/genai"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/pii"
)

// Transcriber turns a citizen's voice note into the words spoken.
type Transcriber interface {
	// Transcribe returns the words of the audio (mime as checked by
	// content, e.g. audio/ogg), in the language spoken, with personal
	// data masked (pii.Mask) like a typed message before the AI reads it.
	// An error may go away on a retry unless hailurah.ErrorCode says
	// EINVALID (a bad key, a refused request, no speech).
	Transcribe(ctx context.Context, mime string, audio []byte) (string, error)
}

// transcribeInstruction asks for the words only: a commentary or a
// translation would become the citizen's curhat.
const transcribeInstruction = "Transkripsikan rekaman suara ini kata demi kata, dalam bahasa yang diucapkan " +
	"(bahasa Indonesia atau bahasa daerah). Tulis hanya transkripnya, tanpa komentar, terjemahan, " +
	"ringkasan atau tanda kutip. Bila tidak ada ucapan yang jelas, jawab kosong."

type geminiTranscriber struct {
	client  *genai.Client
	model   string
	timeout time.Duration
}

// NewGeminiTranscriber returns a Transcriber that sends the audio inline
// to Gemini. cfg is the classifier's: APIKey, Model, BaseURL, HTTPClient;
// Timeout bounds one request (default 60s: a voice note of minutes takes
// longer than a text). It does not retry: the transcription activity does.
// Returns EINVALID without an API key.
func NewGeminiTranscriber(cfg GeminiConfig) (Transcriber, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, hailurah.Errorf(hailurah.EINVALID, "gemini: API key is required")
	}
	if cfg.Model == "" {
		cfg.Model = DefaultGeminiModel
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	client, err := newGenaiClient(cfg)
	if err != nil {
		return nil, err
	}
	return &geminiTranscriber{client: client, model: cfg.Model, timeout: cfg.Timeout}, nil
}

func (g *geminiTranscriber) Transcribe(ctx context.Context, mime string, audio []byte) (string, error) {
	if len(audio) == 0 || !strings.HasPrefix(mime, "audio/") {
		return "", hailurah.Errorf(hailurah.EINVALID, "gemini: nothing to transcribe (%q, %d bytes)", mime, len(audio))
	}
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	temperature := float32(0)
	contents := []*genai.Content{{Role: genai.RoleUser, Parts: []*genai.Part{
		{Text: transcribeInstruction},
		{InlineData: &genai.Blob{MIMEType: mime, Data: audio}},
	}}}
	resp, err := g.client.Models.GenerateContent(ctx, g.model, contents, &genai.GenerateContentConfig{Temperature: &temperature})
	if err != nil {
		var apiErr genai.APIError
		if errors.As(err, &apiErr) && apiErr.Code >= 400 && apiErr.Code < 500 &&
			apiErr.Code != http.StatusTooManyRequests && apiErr.Code != http.StatusRequestTimeout {
			return "", hailurah.Errorf(hailurah.EINVALID, "gemini: transcription refused: %d %s", apiErr.Code, apiErr.Status)
		}
		return "", err
	}
	if resp.PromptFeedback != nil && resp.PromptFeedback.BlockReason != "" {
		return "", hailurah.Errorf(hailurah.EINVALID, "gemini: transcription blocked: %s", resp.PromptFeedback.BlockReason)
	}
	text := strings.TrimSpace(resp.Text())
	if text == "" {
		return "", hailurah.Errorf(hailurah.EINVALID, "gemini: no speech in the voice note")
	}
	return pii.Mask(text), nil
}

// ComposeAskVoice answers a voice note nobody could transcribe: it is kept
// on the ticket for the staff to hear, and the citizen is asked to write.
func ComposeAskVoice(ticketID string) string {
	return fmt.Sprintf(tmplAskVoice, oneLine(ticketID, 40))
}

const tmplAskVoice = `Maaf, pesan suara belum bisa kami dengarkan otomatis. Rekaman Anda tetap kami simpan di tiket %s dan dapat didengar petugas kelurahan.
Agar bisa segera kami bantu, mohon tuliskan keluhan Anda: apa masalahnya, RT/RW dan lokasinya. 🙏`
