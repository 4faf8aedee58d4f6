# Multi-stage build of the one hailurah binary. The same image runs
# `hailurah server`, `hailurah worker` and `hailurah migrate up`.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
ENV GOTOOLCHAIN=local CGO_ENABLED=0
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -ldflags="-s -w" -o /out/hailurah ./cmd/hailurah

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/hailurah --create-home hailurah
COPY --from=build /out/hailurah /usr/local/bin/hailurah
USER hailurah
ENV HAILURAH_DATA_DIR=/var/lib/hailurah HAILURAH_ADDR=:8080 HAILURAH_TZ=Asia/Jakarta
EXPOSE 8080
ENTRYPOINT ["hailurah"]
CMD ["server"]
