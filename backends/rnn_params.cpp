// The sizes the recurrent ops' contract names (include/strata/backend.hpp).

#include "backends/rnn_loop.hpp"
#include "strata/backend.hpp"

namespace strata {

std::int64_t rnn_gates(RnnKind kind) {
  switch (kind) {
    case RnnKind::SimpleRNN: return 1;
    case RnnKind::LSTM: return 4;
    case RnnKind::GRU: return 3;
  }
  return 1;
}

std::int64_t rnn_workspace_size(const RnnParams& p, std::int64_t batch, std::int64_t steps, std::int64_t units) {
  return backends::rnn::geometry(p, batch, steps, 0, units).size();
}

}  // namespace strata
