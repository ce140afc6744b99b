module github.com/libhf-hub/hf_hub/examples/go

go 1.21

require github.com/libhf-hub/hf_hub/bindings/go v0.0.0

replace github.com/libhf-hub/hf_hub/bindings/go => ../../bindings/go
