module pgoharness.local/raftkvs

go 1.24.0

require (
	github.com/antithesishq/antithesis-sdk-go v0.8.0
	gopkg.in/yaml.v3 v3.0.1
)
