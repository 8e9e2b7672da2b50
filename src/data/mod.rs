//! The data: the tasks (MNIST, Fashion-MNIST), the IDX reader, a split in memory, and
//! transfer-set selection.

mod augment;
pub mod idx;
mod mnist;
mod task;
mod transfer;

pub use augment::Augment;
pub use mnist::{
    IMAGE_PIXELS, IMAGE_SIDE, Mnist, NUM_CLASSES, PIXEL_MEAN, PIXEL_STD, decode_image_shard,
    input_description, normalize_pixel,
};
pub use task::{Task, TaskInfo};
pub use transfer::{
    SHARD_SIZE, TRAINING_IMAGES, TransferConfig, TransferSet, max_transfer_size, pool_size,
};
mod training_set;
pub use training_set::{Batch, TrainingSet};
