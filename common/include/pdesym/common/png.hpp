#pragma once
// Minimal raster images written as PNG (libpng), for trajectory and vector-field plots.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace pdesym {

struct Rgb {
  std::uint8_t r = 255, g = 255, b = 255;
};

class Image {
 public:
  Image(int width, int height, Rgb fill = {});
  int width() const { return w_; }
  int height() const { return h_; }
  void set(int x, int y, Rgb c);  ///< ignores out-of-range pixels
  Rgb get(int x, int y) const;
  /// Bresenham line, `thick` pixels wide.
  void line(int x0, int y0, int x1, int y1, Rgb c, int thick = 1);
  void rect(int x0, int y0, int x1, int y1, Rgb c);  ///< outline
  void fill_rect(int x0, int y0, int x1, int y1, Rgb c);
  /// Text in a built-in 5x7 bitmap font (ASCII 32..126), scaled by `scale`.
  void text(int x, int y, const std::string& s, Rgb c, int scale = 1);
  static int text_width(const std::string& s, int scale = 1) { return static_cast<int>(s.size()) * 6 * scale; }
  const std::vector<std::uint8_t>& data() const { return px_; }

 private:
  int w_, h_;
  std::vector<std::uint8_t> px_;
};

/// Perceptual colour map (viridis-like), t in [0,1].
Rgb viridis(double t);
/// Diverging blue-white-red map, t in [-1,1].
Rgb diverging(double t);

/// The images side by side, top-aligned, on a `fill` background as tall as the tallest.
Image hconcat(const std::vector<Image>& images, Rgb fill = {});

/// Writes the image as an 8-bit RGB PNG, atomically (temporary name, then rename).
void write_png(const std::string& path, const Image& img);

}  // namespace pdesym
