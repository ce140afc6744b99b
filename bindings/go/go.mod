module github.com/libhf-hub/hf_hub/bindings/go

go 1.21
