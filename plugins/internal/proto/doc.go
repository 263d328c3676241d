// Package proto is the wire protocol between nuvola and provider plugins:
// provider.proto and the Go code protoc generates from it (provider.pb.go,
// provider_grpc.pb.go). Regenerate with `go generate` in this directory; see
// README.md for the pinned generator versions.
//
// It imports only google.golang.org/protobuf and google.golang.org/grpc.
// Only plugins/internal/convert and package plugins use it; nothing outside
// package plugins may, so the engine never sees protobuf types.
package proto
