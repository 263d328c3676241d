package proto

// The generator versions are pinned so the output compiles against the grpc
// and protobuf versions in go.mod; README.md says how to install them.
//go:generate protoc --proto_path=. --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative provider.proto
