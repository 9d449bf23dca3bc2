//! Face detection, so a photo of people that nobody recorded cannot slip through.
