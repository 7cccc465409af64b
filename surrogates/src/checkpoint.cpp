// Training checkpoints: the resume signature, write_checkpoint() and read_checkpoint().
#include <algorithm>
#include <limits>
#include <sstream>

#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"
#include "train_detail.hpp"

namespace pdesym::surrogates::detail {

namespace {

constexpr const char* kFormat = "pdesym-surrogate";

nlohmann::json history_json(const std::vector<EpochRecord>& h) {
  TrainResult r;
  r.history = h;
  return r.to_json()["history"];
}

std::vector<EpochRecord> history_from(const nlohmann::json& j) {
  std::vector<EpochRecord> h;
  for (const auto& e : j) {
    EpochRecord r;
    r.epoch = e.at("epoch").get<int>();
    r.train_loss = e.at("train_loss").get<double>();
    r.valid_accumulated_mse = e.at("valid_accumulated_mse").get<double>();
    r.valid_nmse = e.at("valid_nmse").is_null() ? std::numeric_limits<double>::quiet_NaN()
                                                : e.at("valid_nmse").get<double>();
    r.samples_per_second = e.at("samples_per_second").get<double>();
    r.seconds = e.at("seconds").get<double>();
    r.promote_penalty = e.value("promote_penalty", -1.0);
    r.lr = e.value("lr", -1.0);
    h.push_back(r);
  }
  return h;
}

}  // namespace

// Everything that must match for a resumed run to continue the same training.
nlohmann::json signature(const TrainOptions& opt, const ModelConfig& mc, int windows, const ShardedSplit& tr) {
  nlohmann::json sig = {{"model", mc.to_json()},
          {"batch_size", opt.batch_size},
          {"lr", opt.lr},
          {"weight_decay", opt.weight_decay},
          {"windows_per_trajectory", windows},
          {"seed", opt.seed},
          {"augment", opt.augment},
          {"augment_eps", opt.augment_eps},
          {"n_train", tr.n_total},
          {"nt", tr.data.nt},
          {"nx", tr.data.nx}};
  if (tr.data.dim != 1) sig["ny"] = tr.data.ny;
  if (opt.promote != "none") {  // absent without promotion: older checkpoints keep resuming
    sig["promote"] = opt.promote;
    sig["promote_weight"] = opt.promote_weight;
    sig["promote_step"] = opt.promote_step;
  }
  if (opt.lr_decay != 1.0) {  // absent without a schedule, likewise
    sig["lr_decay"] = opt.lr_decay;
    sig["lr_patience"] = opt.lr_patience;
  }
  if (opt.augment_prob != 1.0) sig["augment_prob"] = opt.augment_prob;
  if (opt.augment_keep_grid) sig["augment_keep_grid"] = true;
  if (!opt.lr_milestones.empty()) {
    sig["lr_milestones"] = opt.lr_milestones;
    sig["lr_gamma"] = opt.lr_gamma;
  }
  return sig;
}

void write_checkpoint(const std::string& path, Surrogate& model, Surrogate* best, AdamW& optim,
                      const TrainState& st, const nlohmann::json& sig) {
  torch::serialize::OutputArchive ar, m, o;
  ar.write("format", c10::IValue(std::string(kFormat)));
  ar.write("format_version", c10::IValue(static_cast<int64_t>(kModelFormatVersion)));
  ar.write("model_config", c10::IValue(model.config().to_json().dump()));
  ar.write("signature", c10::IValue(sig.dump()));
  ar.write("history", c10::IValue(history_json(st.history).dump()));
  ar.write("epoch", c10::IValue(static_cast<int64_t>(st.epoch)));
  ar.write("batch", c10::IValue(static_cast<int64_t>(st.batch)));
  ar.write("global_step", c10::IValue(static_cast<int64_t>(st.global_step)));
  ar.write("epoch_loss_sum", c10::IValue(st.epoch_loss_sum));
  ar.write("epoch_penalty_sum", c10::IValue(st.epoch_penalty_sum));
  ar.write("epoch_batches", c10::IValue(static_cast<int64_t>(st.epoch_batches)));
  ar.write("epoch_samples", c10::IValue(st.epoch_samples));
  ar.write("epoch_step_seconds", c10::IValue(st.epoch_step_seconds));
  ar.write("best_valid", c10::IValue(st.best_valid));
  ar.write("best_epoch", c10::IValue(static_cast<int64_t>(st.best_epoch)));
  ar.write("lr", c10::IValue(st.lr));
  ar.write("plateau_epochs", c10::IValue(static_cast<int64_t>(st.plateau_epochs)));
  // Random streams are counter based (seed, epoch, sample): the position (epoch, batch) is the whole RNG state.
  ar.write("rng_scheme", c10::IValue(std::string("counter:seed,epoch,sample")));
  model.save(m);
  ar.write("model", m);
  if (best) {
    torch::serialize::OutputArchive b;
    best->save(b);
    ar.write("best_model", b);
  }
  optim.save(o);  // the fused AdamW's archive; load() also reads LibTorch AdamW archives of older checkpoints
  ar.write("optimizer", o);
  // In memory first, then checked I/O (a full disk gives pdesym::Error, not a throwing LibTorch destructor).
  std::ostringstream bytes;
  ar.save_to(bytes);
  write_bytes_atomic(path, bytes.str());
}

namespace {

int64_t read_int(torch::serialize::InputArchive& ar, const char* key) {
  c10::IValue v;
  ar.read(key, v);
  return v.toInt();
}
double read_double(torch::serialize::InputArchive& ar, const char* key) {
  c10::IValue v;
  ar.read(key, v);
  return v.toDouble();
}
std::string read_string(torch::serialize::InputArchive& ar, const char* key) {
  c10::IValue v;
  ar.read(key, v);
  return v.toStringRef();
}

}  // namespace

void read_checkpoint(const std::string& path, Surrogate& model, Surrogate* best, AdamW& optim,
                     TrainState& st, const nlohmann::json& sig) {
  try {
    torch::serialize::InputArchive ar;
    ar.load_from(path);
    c10::IValue fmt;
    PDESYM_REQUIRE(ar.try_read("format", fmt) && fmt.isString() && fmt.toStringRef() == kFormat,
                   "cannot resume from '" << path << "': not a pdesym training checkpoint");
    c10::IValue sv;
    PDESYM_REQUIRE(ar.try_read("signature", sv),
                   "cannot resume from '" << path << "': it is a model-only file without optimizer state");
    const nlohmann::json old = nlohmann::json::parse(sv.toStringRef());
    std::string diffs;
    for (auto it = sig.begin(); it != sig.end(); ++it)
      if (!old.contains(it.key()) || old.at(it.key()) != it.value())
        diffs += "\n  " + it.key() + ": checkpoint " + (old.contains(it.key()) ? old.at(it.key()).dump() : "-") +
                 ", now " + it.value().dump();
    // Keys appear only for settings away from their defaults: one the checkpoint has and this run lacks is a
    // setting this run drops (e.g. --promote, --augment-prob 0.5).
    for (auto it = old.begin(); it != old.end(); ++it)
      if (!sig.contains(it.key())) diffs += "\n  " + it.key() + ": checkpoint " + it.value().dump() + ", now -";
    PDESYM_REQUIRE(diffs.empty(), "cannot resume from '" << path << "': it was made with different settings:" << diffs);
    // Optimizer moments are stored in the parameters' layout, which changed for FNO spectral weights in
    // version 2: such older checkpoints are evaluated (load_model converts them) but not resumed. Unknown
    // versions are refused by load_parameters.
    const int version = read_format_version(ar);
    PDESYM_REQUIRE(version != 1 || model.config().kind != "fno",
                   "cannot resume from '" << path << "': checkpoint format version 1 (FNO spectral weights [in, out, "
                                             "modes, 2]); this pdesym resumes FNO training from format version "
                                          << kModelFormatVersion
                                          << " only (evaluate still reads the file; retrain to resume)");
    torch::serialize::InputArchive m, o;
    ar.read("model", m);
    load_parameters(model, m, version, "checkpoint '" + path + "'");
    if (best) {
      torch::serialize::InputArchive b;
      if (ar.try_read("best_model", b)) load_parameters(*best, b, version, "checkpoint '" + path + "'");
    }
    ar.read("optimizer", o);
    optim.load(o, "checkpoint '" + path + "'");
    st.epoch = static_cast<int>(read_int(ar, "epoch"));
    st.batch = static_cast<int>(read_int(ar, "batch"));
    st.global_step = read_int(ar, "global_step");
    st.epoch_loss_sum = read_double(ar, "epoch_loss_sum");
    c10::IValue pv;
    st.epoch_penalty_sum = ar.try_read("epoch_penalty_sum", pv) ? pv.toDouble() : 0.0;
    st.epoch_batches = read_int(ar, "epoch_batches");
    st.epoch_samples = read_double(ar, "epoch_samples");
    st.epoch_step_seconds = read_double(ar, "epoch_step_seconds");
    st.best_valid = read_double(ar, "best_valid");
    st.best_epoch = static_cast<int>(read_int(ar, "best_epoch"));
    c10::IValue lv, pe;  // absent before the plateau schedule: the options' lr, no count
    st.lr = ar.try_read("lr", lv) ? lv.toDouble() : 0.0;
    st.plateau_epochs = ar.try_read("plateau_epochs", pe) ? static_cast<int>(pe.toInt()) : 0;
    st.history = history_from(nlohmann::json::parse(read_string(ar, "history")));
  } catch (const c10::Error& e) {
    std::string msg = e.what_without_backtrace();
    throw InputError("cannot resume from '" + path + "': " + msg.substr(0, std::min<std::size_t>(300, msg.find('\n'))));
  } catch (const nlohmann::json::exception& e) {
    throw InputError("cannot resume from '" + path + "': damaged metadata: " + e.what());
  }
}

}  // namespace pdesym::surrogates::detail
