package main

import (
	"context"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/hailurah/hailurah/workflows"
)

// benchSecret is the HAILURAH_SECRET of every `hailurah dev` under
// benchmark, so the bench's own client opens the payloads it seals.
const benchSecret = "bench-secret-0123456789abcdef0123456789"

// dialBenchTemporal connects to the Temporal of a `hailurah dev` under
// benchmark with its payload codec.
func dialBenchTemporal(ctx context.Context, addr string) (client.Client, error) {
	return client.DialContext(ctx, client.Options{HostPort: addr, Logger: quietLogger{}, DataConverter: benchDataConverter()})
}

// benchDataConverter opens what the app under benchmark sealed, also in the
// raw histories the bench reads.
func benchDataConverter() converter.DataConverter {
	codec, err := workflows.NewPayloadCodec(workflows.PayloadKey(benchSecret))
	if err != nil {
		panic(err) // PayloadKey always gives a key of the right size
	}
	return codec.DataConverter()
}
